"""An invoice's amounts per VAT rate, computed once for every place that shows or posts them
(the voucher sent to 24SO and the hub's printable copy), so they always agree to the øre."""

from dataclasses import dataclass
from decimal import Decimal

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class RateAmounts:
    rate: Decimal  # normalised: 25, 15, 12, 0
    net: Decimal
    vat: Decimal


@dataclass(frozen=True)
class InvoiceAmounts:
    rates: tuple[RateAmounts, ...]  # highest rate first

    @property
    def net(self) -> Decimal:
        return sum((r.net for r in self.rates), ZERO)

    @property
    def vat(self) -> Decimal:
        return sum((r.vat for r in self.rates), ZERO)

    @property
    def total(self) -> Decimal:
        return self.net + self.vat


def invoice_amounts(invoice) -> InvoiceAmounts:
    """Net and VAT per rate, summed from the lines' own two-decimal amounts (each line rounds
    its net and its VAT half up), so every figure has two decimals and the total is exactly
    their sum: a voucher built from them balances with no rounding residue to place.

    Credit notes are negative whatever sign the source gave their lines, as on the invoice route."""
    credit = invoice.is_credit_note
    by_rate: dict[Decimal, list[Decimal]] = {}
    for line in invoice.lines.all():
        net, vat = line.net_amount, line.vat_amount
        if credit:
            net, vat = -abs(net), -abs(vat)
        totals = by_rate.setdefault(line.vat_rate.normalize(), [ZERO, ZERO])
        totals[0] += net
        totals[1] += vat
    return InvoiceAmounts(
        tuple(RateAmounts(rate, net, vat) for rate, (net, vat) in sorted(by_rate.items(), reverse=True))
    )
