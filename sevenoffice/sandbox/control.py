"""The sandbox's own JSON endpoints under ``/_sandbox/`` (not part of 24SO): inspection,
fault control, reset, and hooks that play the accountant's part (payments, supplier invoices,
fiscal years, invoice series)."""

from __future__ import annotations

import base64
import binascii
from dataclasses import asdict
from datetime import datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from .accounts import Account, AccountError, Identity
from .codec import parse_datetime
from .faults import FaultInjector
from .handlers.companies import save_company
from .handlers.records import RecordError
from .ledger import post_supplier_invoice, receivable_lines, register_payment
from .state import ClientData, SandboxState, plain, utc_now


class ControlError(Exception):
    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


def _text(body: dict, name: str, required: bool = True) -> str | None:
    value = body.get(name)
    if value in (None, ""):
        if required:
            raise ControlError(f"{name} is required")
        return None
    return str(value)


def _decimal(body: dict, name: str) -> Decimal:
    try:
        return Decimal(str(body[name])).quantize(Decimal("0.01"))
    except (KeyError, InvalidOperation):
        raise ControlError(f"{name} must be a decimal number") from None


def _date(body: dict, name: str) -> datetime:
    value = body.get(name)
    if not value:
        return datetime.combine(utc_now().date(), time())
    try:
        return parse_datetime(str(value))
    except ValueError:
        raise ControlError(f"{name} must be an ISO date") from None


class SandboxControl:
    def __init__(self, state: SandboxState, faults: FaultInjector):
        self.state = state
        self.faults = faults

    def handle(self, method: str, name: str, query: dict[str, str], body: dict[str, Any]) -> tuple[int, Any]:
        routes = {
            ("GET", "state"): lambda: self.state_view(query.get("username"), query.get("identity_id")),
            ("GET", "stats"): lambda: {"accounts": self.faults.stats_json(), "sessions": len(self.state.sessions)},
            ("GET", "control"): lambda: asdict(self.faults.settings),
            ("POST", "control"): lambda: self.configure(body),
            ("POST", "reset"): self.reset,
            ("POST", "accounts"): lambda: self.add_account(body),
            ("POST", "payments"): lambda: self.register_payment(body),
            ("POST", "supplier-invoices"): lambda: self.add_supplier_invoice(body),
            ("POST", "supplier-invoices/approve"): lambda: self.approve_supplier_invoice(body),
            ("POST", "fiscal-years"): lambda: self.add_fiscal_year(body),
            ("POST", "invoice-series"): lambda: self.set_invoice_series(body),
        }
        route = routes.get((method, name))
        if route is None:
            return 404, {"error": f"no such sandbox endpoint: {method} /_sandbox/{name}"}
        try:
            with self.state.lock:
                result = route()
        except ControlError as exc:
            return exc.status, {"error": exc.message}
        except (TypeError, ValueError) as exc:
            return 400, {"error": f"invalid request: {exc}"}
        return 200, result

    # --- inspection and control ------------------------------------------------------

    def state_view(self, username: str | None, identity_id: str | None) -> dict[str, Any]:
        accounts = []
        for account in self.state.accounts.values():
            if username and account.key != username.lower():
                continue
            identities = []
            for identity in account.identities:
                if identity_id and identity.id != identity_id.lower():
                    continue
                data = self.state.clients.get((account.key, identity.id))
                identities.append({**asdict(identity), "data": plain(data.to_json()) if data else None})
            accounts.append({"username": account.username, "identities": identities})
        return {"accounts": accounts}

    def configure(self, body: dict[str, Any]) -> dict[str, Any]:
        try:
            return asdict(self.faults.configure(body))
        except (TypeError, ValueError) as exc:
            raise ControlError(str(exc)) from None

    def reset(self) -> dict[str, Any]:
        self.state.reset()
        self.faults.reset()
        return {"reset": True}

    def add_account(self, body: dict[str, Any]) -> dict[str, Any]:
        try:
            account = Account.from_json(body)
        except AccountError as exc:
            raise ControlError(str(exc)) from None
        self.state.add_account(account)
        return account.to_json()

    # --- accountant hooks -------------------------------------------------------------

    def _client(self, body: dict[str, Any]) -> tuple[Account, Identity, ClientData]:
        """The partition named by ``username``/``identity_id`` (defaults: the first account
        and its default identity)."""
        username = body.get("username")
        account = self.state.account(username) if username else next(iter(self.state.accounts.values()), None)
        if account is None:
            raise ControlError(f"unknown account {username!r}", 404)
        identity = account.identity(body.get("identity_id")) if body.get("identity_id") else account.default_identity
        if identity is None:
            raise ControlError(f"unknown identity {body.get('identity_id')!r}", 404)
        self.state.mark_dirty()
        return account, identity, self.state.client_data(account, identity)

    def register_payment(self, body: dict[str, Any]) -> dict[str, Any]:
        _, _, data = self._client(body)
        invoice_no = _text(body, "invoice_id")
        invoice_id = int(invoice_no) if invoice_no.isdigit() else invoice_no
        order = next((o for o in data.orders.values() if o.get("InvoiceId") == invoice_id), None)
        # An invoice posted as a voucher lives only in the ledger, under its InvoiceReferenceNo.
        lines = receivable_lines(data, invoice_no)
        if order is None and not lines:
            raise ControlError(f"invoice {invoice_id} does not exist", 404)
        paid_on = _date(body, "date")
        if body.get("amount") is not None:
            amount = _decimal(body, "amount")
        else:  # the rest of what is owed
            amount = sum(line["Amount"] for line in lines) if lines else order["OrderTotalIncVat"]
        fully_paid = register_payment(data, invoice_no, amount, paid_on)
        if order is not None:
            if fully_paid:
                order["Paid"] = paid_on
            else:  # not (or no longer) settled: no paid date
                order.pop("Paid", None)
            order["DateChanged"] = utc_now()
        lines = receivable_lines(data, invoice_no)
        return {
            "invoice_id": invoice_id,
            "fully_paid": fully_paid,
            "balance": str(sum(line["Amount"] for line in lines)),
            "link_id": lines[-1].get("LinkId") if lines else None,
        }

    def add_supplier_invoice(self, body: dict[str, Any]) -> dict[str, Any]:
        _, _, data = self._client(body)
        supplier_name = _text(body, "supplier_name")
        invoice_no = _text(body, "supplier_invoice_number")
        amount = _decimal(body, "amount")
        invoice_date = _date(body, "invoice_date")
        account_no = int(body.get("account_no") or 4000)
        project_id = int(body["project_id"]) if body.get("project_id") not in (None, "") else None
        if project_id is not None and project_id not in data.projects:
            raise ControlError(f"project {project_id} does not exist")
        supplier = next(
            (c for c in data.companies.values() if c.get("Type") == "Supplier" and c.get("Name") == supplier_name),
            None,
        )
        if supplier is None:
            try:
                supplier = save_company(data, {"Name": supplier_name, "Type": "Supplier"})
            except RecordError as exc:
                raise ControlError(exc.message) from None

        attachment = body.get("attachment") or {}
        try:
            content = base64.b64decode(attachment.get("content_base64") or "", validate=True)
        except (binascii.Error, ValueError):
            raise ControlError("attachment.content_base64 is not base64") from None
        approved, posted = bool(body.get("approved", True)), bool(body.get("posted", True))
        stamp_no = data.next_id("stamp")
        file_id = data.next_id("file")
        now = utc_now()
        meta = [
            {"Key": "CustomerName", "Value": supplier_name},
            {"Key": "InvoiceDate", "Value": invoice_date.date().isoformat()},
            {"Key": "InvoiceNo", "Value": invoice_no},
            {"Key": "Amount", "Value": str(amount)},
        ]
        status = "PostedInJournal" if posted else ("Approved" if approved else "Assigned")
        data.attachments[file_id] = {
            "file": {
                "Id": file_id,
                "Type": _image_type(attachment.get("name") or ""),
                "StampNo": stamp_no,
                "StampMeta": meta,
                "FrameInfo": [{"Id": 1, "StampNo": stamp_no, "MetaData": meta, "Status": 0}],
            },
            "name": attachment.get("name"),
            "content": content,
            "approved": approved,
            "status": status,
            "registered": now,
            "changed": now,
        }
        transaction_no = None
        if posted:
            transaction_no = post_supplier_invoice(
                data,
                supplier_id=supplier["Id"],
                invoice_no=invoice_no,
                invoice_date=invoice_date,
                amount=amount,
                account_no=account_no,
                project_id=project_id,
                description=_text(body, "description", required=False),
                stamp_no=stamp_no,
            )
        return {"supplier_id": supplier["Id"], "stamp_no": stamp_no, "file_id": file_id,
                "transaction_no": transaction_no}

    def approve_supplier_invoice(self, body: dict[str, Any]) -> dict[str, Any]:
        """The approver's click: every document under the stamp number becomes approved. The
        ledger lines are left as they were (approval changes the document, not the posting)."""
        _, _, data = self._client(body)
        try:
            stamp_no = int(_text(body, "stamp_no"))
        except ValueError:
            raise ControlError("stamp_no must be a number") from None
        documents = [a for a in data.attachments.values() if a["file"]["StampNo"] == stamp_no]
        if not documents:
            raise ControlError(f"no document with stamp number {stamp_no}", 404)
        now = utc_now()
        for attachment in documents:
            attachment["approved"] = True
            if attachment["status"] not in ("PostedInJournal", "Approved"):
                attachment["status"] = "Approved"
            attachment["changed"] = now
        return {"stamp_no": stamp_no, "approved": True, "file_ids": [a["file"]["Id"] for a in documents]}

    def add_fiscal_year(self, body: dict[str, Any]) -> dict[str, Any]:
        _, _, data = self._client(body)
        year = int(_text(body, "year"))
        entry = data.add_fiscal_year(year, locked=bool(body.get("locked", False)))
        return {"year": year, **entry}

    def set_invoice_series(self, body: dict[str, Any]) -> dict[str, Any]:
        _, identity, data = self._client(body)
        start = int(_text(body, "start"))
        issued = [o["InvoiceId"] for o in data.orders.values() if o.get("InvoiceId") is not None]
        if issued and start <= max(issued):
            raise ControlError(f"invoice numbers up to {max(issued)} are already issued")
        identity.invoice_series_start = data.invoice_series_start = start
        data.counters["invoice"] = start - 1
        return {"start": start}


def _image_type(filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return {"pdf": "Pdf", "png": "Png", "jpg": "Jpeg", "jpeg": "Jpeg", "tif": "Tiff", "tiff": "Tiff",
            "gif": "Gif", "bmp": "Bmp"}.get(extension, "Unknown")
