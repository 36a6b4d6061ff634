"""Usage accounting: token estimates, cost from a price table, and the per-docs-run budget.

The budget is checked *before* a call, with the call's worst case (prompt estimate in,
``max_tokens`` out), so a run stops cleanly instead of discovering the overspend afterwards.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Protocol

from docsgen_pipeline.agents.settings import Price
from docsgen_pipeline.errors import BudgetExceededError

# Public list prices (USD per 1M tokens) for common hosted models; local models cost nothing.
# Override or extend per deployment with AgentSettings.prices.
DEFAULT_PRICES: dict[str, Price] = {
    "gpt-4o": Price(input_per_m=2.50, output_per_m=10.00),
    "gpt-4o-mini": Price(input_per_m=0.15, output_per_m=0.60),
    "gpt-4.1": Price(input_per_m=2.00, output_per_m=8.00),
    "gpt-4.1-mini": Price(input_per_m=0.40, output_per_m=1.60),
    "gpt-4.1-nano": Price(input_per_m=0.10, output_per_m=0.40),
}

# ~4 characters per token for English prose and Markdown; good enough for a budget guard.
CHARS_PER_TOKEN = 4


def estimate_tokens(text: str) -> int:
    return max(1, (len(text) + CHARS_PER_TOKEN - 1) // CHARS_PER_TOKEN)


class PriceTable:
    def __init__(self, overrides: Mapping[str, Price] | None = None) -> None:
        self._prices = {**DEFAULT_PRICES, **(overrides or {})}

    def price(self, model: str) -> Price | None:
        if model in self._prices:
            return self._prices[model]
        # Dated snapshots ("gpt-4o-mini-2024-07-18") bill like their family: longest prefix wins.
        best = max((name for name in self._prices if model.startswith(name)), key=len, default=None)
        return self._prices[best] if best else None

    def cost(self, model: str, tokens_in: int, tokens_out: int) -> float:
        price = self.price(model)
        if price is None:
            return 0.0
        return (tokens_in * price.input_per_m + tokens_out * price.output_per_m) / 1_000_000


class SpendLedger(Protocol):
    """Where a docs run's settled costs are kept: JSON lines with a ``cost_usd`` field."""

    def lines(self) -> list[str]: ...

    def append(self, line: str) -> None: ...


class FileLedger:
    """A JSON-lines file beside the run's artifacts (the folder store)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def lines(self) -> list[str]:
        if not self.path.exists():
            return []
        return self.path.read_text(encoding="utf-8").splitlines()

    def append(self, line: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write(line + "\n")


class Budget:
    """A docs run's cost cap, shared by all threads of a run.

    ``reserve`` holds a call's worst-case cost until ``settle`` replaces it with the real cost, so
    concurrent calls cannot jointly overshoot.  With ``ledger`` set, settled costs are appended to
    a JSON-lines file and re-read on construction: phases run in separate Dagster steps (and a
    re-executed run starts a new process), and the cap is for the whole docs run.
    """

    def __init__(self, cap_usd: float | None, ledger: Path | SpendLedger | None = None) -> None:
        self.cap_usd = cap_usd
        self._ledger: SpendLedger | None = FileLedger(ledger) if isinstance(ledger, Path) else ledger
        self._lock = threading.Lock()
        self._reserved = 0.0
        self._spent = self._read_ledger()

    def _read_ledger(self) -> float:
        if self._ledger is None:
            return 0.0
        total = 0.0
        for line in self._ledger.lines():
            if line.strip():
                total += float(json.loads(line)["cost_usd"])
        return total

    @property
    def spent_usd(self) -> float:
        with self._lock:
            return self._spent

    def reserve(self, worst_case_usd: float, what: str) -> float:
        """Hold ``worst_case_usd`` or raise :class:`BudgetExceededError` without sending anything."""
        with self._lock:
            if self.cap_usd is not None and self._spent + self._reserved + worst_case_usd > self.cap_usd:
                raise BudgetExceededError(
                    f"budget: {what} could cost up to ${worst_case_usd:.4f}; ${self._spent:.4f} spent and "
                    f"${self._reserved:.4f} in flight of the ${self.cap_usd:.2f} cap. Files already written are "
                    "kept; raise budget_usd (--budget) or lower max_tokens, then re-run the phase"
                )
            self._reserved += worst_case_usd
            return worst_case_usd

    def settle(self, reservation: float, actual_usd: float, what: str) -> None:
        with self._lock:
            self._reserved = max(0.0, self._reserved - reservation)
            self._spent += actual_usd
            if self._ledger is not None and actual_usd > 0:
                self._ledger.append(json.dumps({"what": what, "cost_usd": actual_usd}))

    def snapshot(self) -> dict[str, float | None]:
        with self._lock:
            return {"budget_cap_usd": self.cap_usd, "budget_spent_usd": round(self._spent, 6)}
