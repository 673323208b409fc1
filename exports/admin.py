from django.contrib import admin

from exports import sync
from exports.models import Customer, Invoice, InvoiceLine, Project


class InvoiceLineInline(admin.TabularInline):
    model = InvoiceLine
    extra = 0


@admin.register(Invoice)
class InvoiceAdmin(admin.ModelAdmin):
    list_display = ["number", "kind", "tenant", "department", "customer", "invoice_date"]
    list_filter = ["tenant", "kind", "department"]
    search_fields = ["number", "external_id", "customer__name"]
    list_select_related = ["tenant", "department", "customer"]
    raw_id_fields = ["customer", "project", "credits"]
    inlines = [InvoiceLineInline]


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["name", "external_id", "organization_number", "email", "tenant"]
    list_filter = ["tenant"]
    search_fields = ["name", "external_id", "organization_number", "email"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if form.has_changed():
            sync.customer_changed(obj)  # 24SO gets the change right after the commit


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "customer", "tenant"]
    list_filter = ["tenant"]
    search_fields = ["number", "name", "external_id"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if form.has_changed():
            sync.project_changed(obj)
