"""Generation modes: how a planned file's text is obtained from an agent (``generation: file | section``)."""
