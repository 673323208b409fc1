"""Operation handlers, one module per vendor service; importing this registers them all."""

from . import accounting, attachments, auth, client_info, companies, invoices, products, projects, transactions  # noqa: F401
