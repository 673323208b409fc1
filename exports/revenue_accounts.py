"""Revenue accounts for vouchers per department and VAT rate: the rules, their validation and
audit, and the lookup the voucher sender uses."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from exports.models import RevenueAccountRule
from tenants.models import AuditAction, Department, Tenant
from tenants.services import audit_record

ACCOUNT_MIN, ACCOUNT_MAX = 1000, 999999  # as the tenant's revenue_account setting
AUDIT_TARGET = "revenue accounts"


def revenue_account_resolver(tenant: Tenant, default: int):
    """(department id, VAT rate) -> account: the department-and-rate rule, else the
    department's, else the rate's, else `default` (the tenant's revenue_account). One query."""
    rules = {
        (rule.department_id, rule.vat_rate.normalize() if rule.vat_rate is not None else None): rule.account
        for rule in RevenueAccountRule.objects.filter(tenant=tenant)
    }

    def account_for(department_id: int | None, rate: Decimal) -> int:
        rate = rate.normalize()
        for key in ((department_id, rate), (department_id, None), (None, rate)):
            if key in rules:
                return rules[key]
        return default

    return account_for


def _clean(tenant: Tenant, *, department, vat_rate, account) -> dict:
    """Typed values from API or form input; a ValidationError names each bad field."""
    errors, values = {}, {}
    if isinstance(department, Department):
        values["department"] = department if department.tenant_id == tenant.pk else None
        if values["department"] is None:
            errors["department"] = "Unknown department."
    elif department in (None, ""):
        values["department"] = None
    else:
        values["department"] = Department.objects.filter(tenant=tenant, code=str(department)).first()
        if values["department"] is None:
            errors["department"] = f"Unknown department code {department!r}."
    if vat_rate in (None, ""):
        values["vat_rate"] = None
    else:
        try:
            rate = Decimal(str(vat_rate))
        except InvalidOperation:
            rate = None
        if rate is None or not rate.is_finite() or not 0 <= rate <= 100 or rate != rate.quantize(Decimal("0.01")):
            errors["vat_rate"] = f"Give a VAT rate in per cent between 0 and 100 with at most two decimals, not {vat_rate!r}."
        else:
            values["vat_rate"] = rate.quantize(Decimal("0.01"))
    try:
        number = int(str(account).strip())
    except (TypeError, ValueError):
        number = None
    if number is None or not ACCOUNT_MIN <= number <= ACCOUNT_MAX:
        errors["account"] = f"Give an account number between {ACCOUNT_MIN} and {ACCOUNT_MAX}, not {account!r}."
    values["account"] = number
    if not errors and values["department"] is None and values["vat_rate"] is None:
        errors["department"] = (
            "Name a department, a VAT rate or both; the tenant-wide account is the revenue account setting."
        )
    if errors:
        raise ValidationError(errors)
    return values


def _describe(rule: RevenueAccountRule) -> dict:
    return {
        "department": rule.department.code if rule.department_id else None,
        "vat_rate": str(rule.vat_rate) if rule.vat_rate is not None else None,
        "account": rule.account,
    }


def _save(rule: RevenueAccountRule, *, actor, change: str, details: dict) -> RevenueAccountRule:
    try:
        with transaction.atomic():
            rule.save()
            audit_record(tenant=rule.tenant, actor=actor, action=AuditAction.SETTINGS_CHANGED, target=AUDIT_TARGET,
                         details={change: details})
    except IntegrityError:
        raise ValidationError(
            {"vat_rate": "There already is a rule for this department and VAT rate; change that one instead."}
        ) from None
    return rule


def revenue_rule_create(*, tenant: Tenant, actor, department=None, vat_rate=None, account) -> RevenueAccountRule:
    values = _clean(tenant, department=department, vat_rate=vat_rate, account=account)
    rule = RevenueAccountRule(tenant=tenant, **values)
    return _save(rule, actor=actor, change="created", details=_describe(rule))


def revenue_rule_update(*, rule: RevenueAccountRule, actor, **changes) -> RevenueAccountRule:
    """Change the named fields (department, vat_rate, account); the audit keeps old and new."""
    current = {"department": rule.department, "vat_rate": rule.vat_rate, "account": rule.account}
    values = _clean(rule.tenant, **{**current, **changes})
    before = _describe(rule)
    for name, value in values.items():
        setattr(rule, name, value)
    after = _describe(rule)
    if before == after:
        return rule
    return _save(rule, actor=actor, change="changed", details={"from": before, "to": after})


def revenue_rule_delete(*, rule: RevenueAccountRule, actor) -> None:
    with transaction.atomic():
        audit_record(tenant=rule.tenant, actor=actor, action=AuditAction.SETTINGS_CHANGED, target=AUDIT_TARGET,
                     details={"deleted": _describe(rule)})
        rule.delete()
