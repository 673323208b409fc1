from django import forms
from django.contrib import admin

from tenants import services
from tenants.models import (
    ApiKey,
    AuditAction,
    AuditEvent,
    Department,
    ExportAlert,
    IntegrationSettings,
    Membership,
    SevenOfficeCredential,
    Tenant,
)


class DepartmentInline(admin.TabularInline):
    model = Department
    extra = 0


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = ["slug", "name", "created_at"]
    search_fields = ["slug", "name"]
    inlines = [DepartmentInline]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "tenant"]
    list_filter = ["tenant"]
    search_fields = ["code", "name"]


@admin.register(IntegrationSettings)
class IntegrationSettingsAdmin(admin.ModelAdmin):
    list_display = ["tenant", "active", "invoice_export_enabled", "error_email", "default_identity_id", "updated_at"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "tenant", "role"]
    list_filter = ["tenant", "role"]


class CredentialAdminForm(forms.ModelForm):
    # Write-only: never rendered back, not even after a form error.
    password = forms.CharField(
        widget=forms.PasswordInput(render_value=False),
        required=False,
        help_text="Leave empty to keep the stored password. It is never shown again.",
    )
    scope_departments = forms.ModelMultipleChoiceField(
        queryset=Department.objects.all(),
        required=False,
        label="Departments",
        help_text="Departments this credential serves (ignored when it serves all departments).",
    )

    class Meta:
        model = SevenOfficeCredential
        fields = ["tenant", "username", "identity_id", "all_departments"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["scope_departments"].initial = self.instance.departments.all()

    def clean(self):
        cleaned = super().clean()
        tenant = cleaned.get("tenant")
        if tenant is not None:
            errors = services.credential_errors(
                tenant=tenant,
                username=cleaned.get("username", ""),
                password=cleaned.get("password"),
                departments=self.scope(),
                credential=self.instance if self.instance.pk else None,
            )
            for field, message in errors.items():
                self.add_error("scope_departments" if field == "departments" else field, message)
        return cleaned

    def scope(self):
        if self.cleaned_data.get("all_departments"):
            return services.ALL_DEPARTMENTS
        return list(self.cleaned_data.get("scope_departments") or [])


@admin.register(SevenOfficeCredential)
class SevenOfficeCredentialAdmin(admin.ModelAdmin):
    form = CredentialAdminForm
    list_display = ["username", "tenant", "all_departments", "identity_id", "last_test_ok", "last_tested_at"]
    readonly_fields = ["last_tested_at", "last_test_ok", "last_test_message"]
    list_filter = ["tenant", "all_departments"]

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        obj = services.credential_save(
            tenant=data["tenant"],
            username=data["username"],
            password=data.get("password") or None,
            identity_id=data.get("identity_id"),
            departments=form.scope(),
            credential=obj,
        )
        services.audit_record(
            tenant=obj.tenant, actor=request.user,
            action=AuditAction.CREDENTIAL_CHANGED if change else AuditAction.CREDENTIAL_CREATED,
            target=obj.username, details={"via": "django admin", "password_changed": bool(data.get("password"))},
        )

    def save_related(self, request, form, formsets, change):
        # The scope was saved by credential_save; the form has no m2m of its own.
        pass


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["__str__", "tenant", "is_admin", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["tenant", "is_admin"]
    readonly_fields = ["lookup", "key_hash", "created_at", "last_used_at"]

    def has_add_permission(self, request):
        # Keys are created with `manage.py create_api_key` (or the settings UI), which shows the key once.
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit log is append-only, even for superusers."""

    list_display = ["created_at", "tenant", "actor_label", "action", "target"]
    list_filter = ["tenant", "action"]
    search_fields = ["actor_label", "target"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ExportAlert)
class ExportAlertAdmin(admin.ModelAdmin):
    list_display = ["batch", "tenant", "recipient", "claimed_at", "sent_at"]
    list_filter = ["tenant"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
