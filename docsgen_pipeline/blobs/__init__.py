"""Where the artifact store keeps its bytes: one interface, a local folder or an object store (pure)."""

from docsgen_pipeline.blobs.protocol import Blobs
from docsgen_pipeline.blobs.registry import open_blobs

__all__ = ["Blobs", "open_blobs"]
