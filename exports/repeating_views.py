"""Repeating invoices in the browser: the list, one agreement with its lines, the sheet out,
and a sheet in (checked in the background with a progress bar, then confirmed)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from exports import repeating
from exports import repeating_upload as uploads
from exports.repeating_forms import AgreementForm, LineFormSet, initial_of
from exports.repeating_models import RepeatingAgreement, RepeatingSheetUpload
from exports.repeating_sheet import MAX_FILE_BYTES, SheetNotReady, SheetRefused, agreements_for_sheet, sheet_bytes
from tenants.access import get_for_tenant_or_404, role_required
from tenants.models import Role

READERS = (Role.ADMIN, Role.ACCOUNTANT, Role.OPS)
EDITORS = (Role.ADMIN, Role.ACCOUNTANT)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PREVIEW_LIMIT = 200  # order ids listed on the preview; the counts cover the rest


def _can_edit(request) -> bool:
    return request.user.membership.role in EDITORS


@role_required(*READERS)
def repeating_list(request):
    agreements = (RepeatingAgreement.objects.filter(tenant=request.tenant).select_related("customer")
                  .prefetch_related("lines").order_by("order_id"))
    page = Paginator(agreements, 50).get_page(request.GET.get("page"))
    uploads = RepeatingSheetUpload.objects.filter(tenant=request.tenant).defer("content")[:5]
    return render(request, "exports/repeating_list.html", {"page": page, "can_edit": _can_edit(request),
                                                           "uploads": uploads, "max_mb": MAX_FILE_BYTES >> 20})


@role_required(*EDITORS)
def repeating_add(request):
    return _edit(request, None)


@role_required(*READERS)
def repeating_edit(request, pk):
    agreement = get_for_tenant_or_404(RepeatingAgreement.objects.all(), request.tenant, pk=pk)
    if request.method == "POST" and not _can_edit(request):
        raise PermissionDenied("Your role does not allow this.")
    return _edit(request, agreement)


def _edit(request, agreement):
    header, lines = initial_of(agreement) if agreement else ({}, [])
    if request.method == "POST":
        form = AgreementForm(request.POST, tenant=request.tenant, existing=agreement, initial=header)
        formset = LineFormSet(request.POST, prefix="lines")
        if form.is_valid() and formset.is_valid():
            kept = [f for f in formset.forms if f.has_changed() and not f.cleaned_data.get("DELETE")]
            spec = {**form.header(), "lines": [f.line() for f in kept]}
            try:
                saved, created = repeating.agreement_save(tenant=request.tenant, spec=spec)
            except repeating.AgreementInvalid as exc:
                for index, field_name, message in exc.problems:
                    target = kept[index] if index is not None else form
                    target.add_error(field_name if field_name in target.fields else None, message)
            else:
                messages.success(request, f"Repeating invoice {saved.order_id} {'created' if created else 'saved'}.")
                return redirect("repeating-edit", pk=saved.pk)
    else:
        form = AgreementForm(tenant=request.tenant, existing=agreement, initial=header)
        formset = LineFormSet(prefix="lines", initial=lines)
    if not _can_edit(request):
        for field in [*form.fields.values(), *(f for line in formset.forms for f in line.fields.values())]:
            field.disabled = True
    return render(request, "exports/repeating_edit.html", {
        "agreement": agreement, "form": form, "formset": formset, "can_edit": _can_edit(request),
        "lines": list(agreement.lines.all()) if agreement else [],
    })


@role_required(*READERS)
def repeating_sheet(request):
    try:
        content = sheet_bytes(request.tenant, agreements_for_sheet(request.tenant))
    except SheetNotReady as exc:
        for problem in exc.problems[:20]:
            messages.error(request, problem)
        return redirect("repeating-list")
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="repeating-invoices.xlsx"'
    return response


@require_POST
@role_required(*EDITORS)
def repeating_upload_start(request):
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, "Choose a spreadsheet (.xlsx) to upload.")
        return redirect("repeating-list")
    if upload.size > MAX_FILE_BYTES:
        messages.error(request, uploads.TOO_BIG)
        return redirect("repeating-list")
    try:
        job = uploads.upload_create(tenant=request.tenant, user=request.user, filename=upload.name,
                                             data=upload.read())
    except SheetRefused as exc:
        messages.error(request, f"{upload.name}: {exc}")
        return redirect("repeating-list")
    return redirect("repeating-upload", pk=job.pk)


def _upload_for(request, pk):
    return get_for_tenant_or_404(RepeatingSheetUpload.objects.defer("content"), request.tenant, pk=pk)


@role_required(*READERS)
def repeating_upload(request, pk):
    job = _upload_for(request, pk)
    preview = job.preview or {}
    context = {
        "job": job, "state": uploads.upload_state(job), "can_edit": _can_edit(request),
        "state_url": reverse("repeating-upload-state", args=[job.pk]),
        "created": preview.get("created", [])[:PREVIEW_LIMIT], "changed": preview.get("changed", [])[:PREVIEW_LIMIT],
        "preview": preview,
    }
    return render(request, "exports/repeating_upload.html", context)


@role_required(*READERS)
def repeating_upload_state(request, pk):
    return JsonResponse(uploads.upload_state(_upload_for(request, pk)))


@require_POST
@role_required(*EDITORS)
def repeating_upload_confirm(request, pk):
    job = _upload_for(request, pk)
    if uploads.upload_confirm(upload=job):
        messages.success(request, "Saving the sheet's repeating invoices.")
    else:
        messages.error(request, "This sheet is not ready to be applied.")
    return redirect("repeating-upload", pk=job.pk)
