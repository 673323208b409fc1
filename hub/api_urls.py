from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from exports.api import expenses as expense_api
from exports.api import revenue_accounts as revenue_account_api
from exports.api import repeating as repeating_api
from exports.api import bulk as export_bulk
from exports.api import views as export_views
from tenants import api as tenant_api

urlpatterns = [
    path("departments", export_views.DepartmentList.as_view(), name="api-departments"),
    path("customers", export_views.CustomerList.as_view(), name="api-customers"),
    path("customers/<str:key>", export_views.CustomerDetail.as_view(), name="api-customer"),
    path("customers/<str:key>/resync", export_views.CustomerResync.as_view(), name="api-customer-resync"),
    path("customers/<str:key>/choose-match", export_views.CustomerChooseMatch.as_view(), name="api-customer-choose"),
    path("projects", export_views.ProjectList.as_view(), name="api-projects"),
    path("projects/<str:key>", export_views.ProjectDetail.as_view(), name="api-project"),
    path("invoices", export_views.InvoiceList.as_view(), name="api-invoices"),
    path("invoices/bulk", export_bulk.InvoiceBulk.as_view(), name="api-invoices-bulk"),  # before invoices/<key>
    path("invoices/<str:key>", export_views.InvoiceDetail.as_view(), name="api-invoice"),
    path("invoices/<str:key>/check-payment", export_views.InvoiceCheckPayment.as_view(), name="api-invoice-check-payment"),
    path("invoices/<str:key>/expenses", expense_api.InvoiceExpenses.as_view(), name="api-invoice-expenses"),
    path("exports", export_views.ExportList.as_view(), name="api-exports"),
    path("exports/<int:pk>", export_views.ExportDetail.as_view(), name="api-export"),
    path("expense-imports", expense_api.ExpenseImportList.as_view(), name="api-expense-imports"),
    path("expense-imports/<int:pk>", expense_api.ExpenseImportDetail.as_view(), name="api-expense-import"),
    path("expenses", expense_api.ExpenseList.as_view(), name="api-expenses"),
    path("expenses/<int:pk>", expense_api.ExpenseDetail.as_view(), name="api-expense"),
    path("expenses/<int:pk>/attachments/<int:attachment_pk>", expense_api.ExpenseAttachmentDownload.as_view(),
         name="api-expense-attachment"),
    path("repeating-invoices", repeating_api.RepeatingInvoiceList.as_view(), name="api-repeating-invoices"),
    path("repeating-invoices/sheet", repeating_api.RepeatingInvoiceSheet.as_view(), name="api-repeating-sheet"),
    path("repeating-invoices/<str:key>", repeating_api.RepeatingInvoiceDetail.as_view(), name="api-repeating-invoice"),
    path("credentials", tenant_api.CredentialList.as_view(), name="api-credentials"),
    path("settings", tenant_api.SettingsDetail.as_view(), name="api-settings"),
    path("revenue-accounts", revenue_account_api.RevenueAccountList.as_view(), name="api-revenue-accounts"),
    path("revenue-accounts/<int:pk>", revenue_account_api.RevenueAccountDetail.as_view(), name="api-revenue-account"),
    path("schema", SpectacularAPIView.as_view(authentication_classes=[], permission_classes=[]), name="api-schema"),
    path(
        "docs",
        SpectacularSwaggerView.as_view(url_name="api-schema", authentication_classes=[], permission_classes=[]),
        name="api-docs",
    ),
]
