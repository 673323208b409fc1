from django.contrib import admin

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


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "customer", "tenant"]
    list_filter = ["tenant"]
    search_fields = ["number", "name", "external_id"]
