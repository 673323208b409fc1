"""Forms of the administration pages. They validate input; the services in tenants.services act."""

from django import forms

from tenants import services
from tenants.models import AuditAction, IntegrationSettings, Role

SCOPE_CHOICES = [(services.ALL_DEPARTMENTS, "All departments"), ("chosen", "Chosen departments")]


def known_identities(tenant) -> list[tuple[str, str]]:
    """Clients (identities) found by connection tests of the tenant's credentials, for selects."""
    seen = {}
    for identities in tenant.credentials.values_list("last_test_identities", flat=True):
        for identity in identities or []:
            seen.setdefault(identity["id"], identity["name"])
    return sorted(seen.items(), key=lambda pair: pair[1])


class IntegrationSettingsForm(forms.ModelForm):
    class Meta:
        model = IntegrationSettings
        fields = list(services.SETTINGS_FIELDS)
        labels = {
            "invoice_export_enabled": "24SevenOffice as invoice export option",
            "error_email": "Error mail address",
            "default_identity_id": "Default 24SevenOffice client",
            "factoring_customer_id": "Factoring customer number",
            "project_client_id": "Project client id",
            "realtime_invoice_export": "Real-time invoice export",
        }

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        choices = known_identities(tenant)
        current = self.instance.default_identity_id
        if current and str(current) not in dict(choices):
            choices.append((str(current), str(current)))
        if choices:
            # A select of the clients tests have found; without any, the id is typed in.
            self.fields["default_identity_id"].widget = forms.Select(choices=[("", "None")] + choices)


class _ScopeMixin:
    """Scope fields shared by the add and edit forms, and credential_errors mapped onto fields."""

    def _add_scope_fields(self, tenant):
        self.tenant = tenant
        self.fields["scope"] = forms.ChoiceField(
            choices=SCOPE_CHOICES, widget=forms.RadioSelect, initial=services.ALL_DEPARTMENTS,
            help_text="A department's own credential wins over the all-departments one.",
        )
        self.fields["departments"] = forms.ModelMultipleChoiceField(
            queryset=tenant.departments.all(), required=False, widget=forms.CheckboxSelectMultiple,
            help_text="The departments this login serves when the scope is 'Chosen departments'.",
        )

    def scope(self):
        if self.cleaned_data.get("scope") == services.ALL_DEPARTMENTS:
            return services.ALL_DEPARTMENTS
        return list(self.cleaned_data.get("departments") or [])

    def _check(self, credential, password):
        errors = services.credential_errors(
            tenant=self.tenant, username=self.cleaned_data.get("username", ""), password=password,
            departments=self.scope(), credential=credential,
        )
        for field, message in errors.items():
            self.add_error(field if field in self.fields else None, message)


class CredentialCreateForm(_ScopeMixin, forms.Form):
    username = forms.CharField(max_length=254, help_text="The 24SevenOffice user's e-mail address.")
    # Write-only: never rendered back, not even when the form comes back with an error.
    password = forms.CharField(
        widget=forms.PasswordInput(render_value=False), strip=False,
        help_text="Stored encrypted and never shown again.",
    )
    identity_id = forms.UUIDField(
        required=False, label="Identity (client) id",
        help_text="Leave empty: a connection test chooses it, or lets you pick when the login reaches several.",
    )

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self._add_scope_fields(tenant)

    def clean(self):
        cleaned = super().clean()
        self._check(None, cleaned.get("password"))
        return cleaned


class CredentialEditForm(_ScopeMixin, forms.Form):
    username = forms.CharField(max_length=254, help_text="The 24SevenOffice user's e-mail address.")
    identity_id = forms.UUIDField(
        required=False, label="Identity (client) id", help_text="The 24SevenOffice client exports go to.",
    )

    def __init__(self, *args, tenant, credential, **kwargs):
        self.credential = credential
        initial = {
            "username": credential.username, "identity_id": credential.identity_id,
            "scope": services.ALL_DEPARTMENTS if credential.all_departments else "chosen",
            "departments": list(credential.departments.all()),
        }
        super().__init__(*args, initial=initial, **kwargs)
        self._add_scope_fields(tenant)

    def clean(self):
        cleaned = super().clean()
        self._check(self.credential, None)
        return cleaned


class CredentialRotateForm(forms.Form):
    password = forms.CharField(
        label="New password", widget=forms.PasswordInput(render_value=False), strip=False,
        help_text="After changing it in 24SevenOffice. Stored encrypted and never shown again.",
    )


class IdentityChoiceForm(forms.Form):
    identity_id = forms.ChoiceField(label="24SevenOffice client")

    def __init__(self, *args, credential, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["identity_id"].choices = [(i["id"], f"{i['name']} ({i['id']})") for i in credential.last_test_identities]


class ApiKeyForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="Which source system uses the key.")
    is_admin = forms.BooleanField(
        required=False, label="Admin key", help_text="May also manage 24SevenOffice credentials through the API.",
    )


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(choices=[("", "Any action")] + AuditAction.choices, required=False)
    actor = forms.CharField(required=False, max_length=200)
    date_from = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))


class UserCreateForm(forms.Form):
    username = forms.CharField(max_length=150)
    email = forms.EmailField(required=False)
    role = forms.ChoiceField(choices=Role.choices, help_text="Admin: settings, credentials, users, API keys. "
                             "Accountant: invoices and exports. Ops: receipts and retries, read-only elsewhere.")
    password = forms.CharField(widget=forms.PasswordInput(render_value=False), help_text="Give it to the user safely.")


class UserChangeForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)
    active = forms.BooleanField(required=False, help_text="Inactive users cannot sign in; their history stays.")
