"""Publishing a Complete docs run's bundle to where the docs live, exactly once per bundle (pure).

``destination`` defines the :class:`Destination` protocol; ``git`` and ``directory`` implement it;
``registry`` maps URL schemes to implementations; ``ledger`` is the append-only record of intents
and outcomes; ``publisher`` ties them together (verify, reconcile, decide, intent, mutate, outcome).
"""
