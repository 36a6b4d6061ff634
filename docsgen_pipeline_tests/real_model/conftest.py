from docsgen_pipeline_tests.support.llama_server import llama_server  # noqa: F401  (fixture)
