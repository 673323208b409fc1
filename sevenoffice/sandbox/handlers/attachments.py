"""AttachmentService: voucher images of supplier invoices, downloaded in chunks (research section 8)."""

from __future__ import annotations

from typing import Any

from ..contract import ATTACHMENT
from ..reference import MAX_REQUEST_LENGTH_KB
from ..state import ClientData
from .base import CallContext, SoapFault, operation
from .records import matches


def _matches(attachment: dict[str, Any], search: dict[str, Any]) -> bool:
    image = attachment["file"]
    return matches(search, {
        "StampNo": lambda v: image["StampNo"] in v,
        "FileId": lambda v: image["Id"] in v,
        "AttachmentRegisteredAfter": lambda v: attachment["registered"] > v,
        "AttachmentChangedAfter": lambda v: attachment["changed"] > v,
        "HasStampNo": lambda v: bool(image["StampNo"]) == v,
        "FileApproved": lambda v: attachment["approved"] == v,
        "AttachmentStatus": lambda v: attachment["status"] in v,
    })


@operation(ATTACHMENT, "GetFileInfo")
def get_file_info(ctx: CallContext, request: dict[str, Any]) -> dict[str, Any]:
    search = request.get("parameters") or {}
    return {"GetFileInfoResult": [a["file"] for a in ctx.data.attachments.values() if _matches(a, search)]}


def _content(data: ClientData, image_file: dict[str, Any] | None) -> bytes:
    attachment = data.attachments.get((image_file or {}).get("Id"))
    if attachment is None:
        raise SoapFault(f"File {(image_file or {}).get('Id')} does not exist.")
    return attachment["content"]


@operation(ATTACHMENT, "GetSize")
def get_size(ctx: CallContext, request: dict[str, Any]) -> dict[str, Any]:
    return {"GetSizeResult": len(_content(ctx.data, request.get("file")))}


@operation(ATTACHMENT, "DownloadChunk")
def download_chunk(ctx: CallContext, request: dict[str, Any]) -> dict[str, Any]:
    content = _content(ctx.data, request.get("file"))
    offset, size = request.get("offset") or 0, request.get("bufferSize") or 0
    if offset < 0 or size < 0:
        raise SoapFault("offset and bufferSize must not be negative.")
    if size > MAX_REQUEST_LENGTH_KB * 1024:
        raise SoapFault("Maximum request length exceeded.")
    return {"DownloadChunkResult": content[offset: offset + size]}


@operation(ATTACHMENT, "GetMaxRequestLength")
def get_max_request_length(ctx: CallContext, request: dict[str, Any]) -> dict[str, Any]:
    return {"GetMaxRequestLengthResult": MAX_REQUEST_LENGTH_KB}
