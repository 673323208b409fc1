"""Reading a repeating-invoice sheet into agreements: at once (the API) or as a background job
with progress (the browser, where a 50,000-line sheet takes a while).

A job is checked first (errors, or a preview of what would change), then applied when the
user confirms; applying reads the sheet again, so what is saved is checked against the hub
as it is then. Every status change of a job goes through _move.
"""

import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from exports import repeating
from exports.repeating_models import RepeatingSheetUpload, SheetUploadStatus
from exports.repeating_sheet import MAX_FILE_BYTES, SheetRefused, sheet_check_container, sheet_read
from tenants.models import Tenant

log = logging.getLogger(__name__)
TOO_BIG = f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB; split the sheet."
S = SheetUploadStatus
# From which statuses each step may start: a redelivered task finds its job where it left it.
CHECKABLE = (S.QUEUED, S.CHECKING)


@dataclass
class ImportOutcome:
    summary: dict = field(default_factory=dict)
    errors: list[dict] = field(default_factory=list)


def sheet_import(*, tenant: Tenant, data: bytes, dry_run: bool, progress=None) -> ImportOutcome:
    """Check a sheet and, unless dry_run or anything is wrong, save all its agreements."""
    try:
        result = sheet_read(tenant, data, progress=progress)
    except SheetRefused as exc:
        return ImportOutcome(errors=[{"row": None, "column": None, "message": str(exc)}])
    if result.errors:
        return ImportOutcome(errors=result.errors)
    if dry_run:
        summary = repeating.agreements_preview(tenant=tenant, specs=result.specs)
    else:
        summary = repeating.agreements_apply(tenant=tenant, specs=result.specs)
    return ImportOutcome(summary=summary.as_dict())


# --- Background jobs ---------------------------------------------------------------------------


def upload_create(*, tenant: Tenant, user, filename: str, data: bytes) -> RepeatingSheetUpload:
    """Keep the file and have a worker check it. Raises SheetRefused for what is plainly not a sheet."""
    sheet_check_container(data)
    upload = RepeatingSheetUpload.objects.create(tenant=tenant, created_by=user, filename=filename[:255], content=data)
    _enqueue("exports.repeating_sheet_check", upload.pk)
    return upload


def upload_confirm(*, upload: RepeatingSheetUpload) -> bool:
    """The user confirmed the preview: apply the sheet in the background. False if not ready."""
    if not _move(upload.pk, (S.READY,), S.APPLYING, rows_done=0):
        return False
    _enqueue("exports.repeating_sheet_apply", upload.pk)
    return True


def upload_check(upload_id: int) -> None:
    """Check the job's sheet and store its errors or a preview of the changes."""
    if not _move(upload_id, CHECKABLE, S.CHECKING, rows_done=0):
        return
    upload = RepeatingSheetUpload.objects.select_related("tenant").get(pk=upload_id)
    outcome = sheet_import(tenant=upload.tenant, data=bytes(upload.content), dry_run=True,
                           progress=_progress(upload_id))
    if outcome.errors:
        refused = outcome.errors[0]["row"] is None and len(outcome.errors) == 1
        _move(upload_id, (S.CHECKING,), S.REFUSED if refused else S.INVALID, errors=outcome.errors,
              message=outcome.errors[0]["message"] if refused else "")
    else:
        _move(upload_id, (S.CHECKING,), S.READY, preview=outcome.summary)


def upload_apply(upload_id: int) -> None:
    """Read the sheet again (its progress shows) and save it, all or nothing. The job is marked
    applied in the saving transaction, so a crash before the commit leaves it to apply again."""
    upload = RepeatingSheetUpload.objects.select_related("tenant").filter(pk=upload_id, status=S.APPLYING).first()
    if upload is None:  # applied already, or gone
        return
    try:
        result = sheet_read(upload.tenant, bytes(upload.content), progress=_progress(upload_id))
    except SheetRefused as exc:
        _move(upload_id, (S.APPLYING,), S.REFUSED, message=str(exc))
        return
    if result.errors:  # the hub changed since the check (a customer deleted, say)
        _move(upload_id, (S.APPLYING,), S.INVALID, errors=result.errors)
        return
    with transaction.atomic():
        locked = RepeatingSheetUpload.objects.select_for_update().get(pk=upload_id)
        if locked.status != S.APPLYING:  # another delivery of this task got here first
            return
        summary = repeating.agreements_apply(tenant=upload.tenant, specs=result.specs)
        _move(upload_id, (S.APPLYING,), S.APPLIED, preview=summary.as_dict(), content=b"")


def _move(upload_id: int, from_statuses, to: str, **fields) -> bool:
    """The one place a job's status changes: only from the statuses given, and only once."""
    changed = RepeatingSheetUpload.objects.filter(pk=upload_id, status__in=from_statuses).update(
        status=to, updated_at=timezone.now(), **fields
    )
    if changed:
        log.info("repeating sheet upload %s: %s", upload_id, to)
    return bool(changed)


def _progress(upload_id: int):
    def report(done: int, total: int) -> None:
        RepeatingSheetUpload.objects.filter(pk=upload_id).update(
            rows_done=done, rows_total=total, updated_at=timezone.now()
        )

    return report


def upload_state(upload: RepeatingSheetUpload) -> dict:
    """What the upload page polls."""
    finished = upload.status in (S.INVALID, S.READY, S.APPLIED, S.REFUSED)
    return {"status": upload.status, "label": upload.get_status_display(), "finished": finished,
            "rows_done": upload.rows_done, "rows_total": upload.rows_total}


def _enqueue(task_name: str, upload_id: int) -> None:
    from hub.celery import app

    transaction.on_commit(lambda: app.send_task(task_name, (upload_id,)))

