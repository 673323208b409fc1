from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from exports import customer_views, expense_views, invoice_copy, invoice_views, repeating_views, voucher_views
from exports import views as export_views
from tenants import views as tenant_views

urlpatterns = [
    path("", tenant_views.home, name="home"),
    path("invoices/", export_views.invoice_list, name="invoice-list"),
    path("invoices/<int:pk>/", invoice_views.invoice_detail, name="invoice-detail"),
    path("invoices/<int:pk>/check-payment/", invoice_views.invoice_check_payment, name="invoice-check-payment"),
    path("exports/confirm/", export_views.export_confirm, name="export-confirm"),
    path("exports/start/", export_views.export_start, name="export-start"),
    path("exports/<int:pk>/", export_views.receipt, name="receipt"),
    path("exports/<int:pk>/updates", export_views.receipt_updates, name="receipt-updates"),
    path("exports/<int:pk>/retry/", export_views.receipt_retry, name="receipt-retry"),
    path("exports/<int:pk>/check-payment/", invoice_views.receipt_check_payment, name="receipt-check-payment"),
    path("customers/", customer_views.customer_list, name="customer-list"),
    path("customers/<int:pk>/resync/", customer_views.customer_resync, name="customer-resync"),
    path("customers/<int:pk>/choose/", customer_views.customer_choose, name="customer-choose"),
    path("projects/", customer_views.project_list, name="project-list"),
    path("projects/<int:pk>/resync/", customer_views.project_resync, name="project-resync"),
    path("expenses/", expense_views.expense_list, name="expense-list"),
    path("expenses/import/", expense_views.expense_import_start, name="expense-import-start"),
    path("expenses/<int:pk>/billable/", expense_views.expense_billable, name="expense-billable"),
    path("expenses/add-to-invoice/", expense_views.expense_add_to_invoice, name="expense-add-to-invoice"),
    path("expenses/documents/<int:pk>/", expense_views.expense_attachment, name="expense-attachment"),
    path("invoices/<int:pk>/expenses/", expense_views.invoice_expenses, name="invoice-expenses"),
    path("invoices/<int:pk>/copy", invoice_copy.invoice_copy, name="invoice-copy"),
    path("settings/24sevenoffice/revenue-accounts/", voucher_views.revenue_account_add, name="revenue-account-add"),
    path("settings/24sevenoffice/revenue-accounts/<int:pk>/delete/", voucher_views.revenue_account_delete,
         name="revenue-account-delete"),
    path("settings/24sevenoffice/invoice-series/check/", voucher_views.invoice_series_check, name="invoice-series-check"),
    path("repeating/", repeating_views.repeating_list, name="repeating-list"),
    path("repeating/add/", repeating_views.repeating_add, name="repeating-add"),
    path("repeating/<int:pk>/", repeating_views.repeating_edit, name="repeating-edit"),
    path("repeating/sheet.xlsx", repeating_views.repeating_sheet, name="repeating-sheet"),
    path("repeating/uploads/", repeating_views.repeating_upload_start, name="repeating-upload-start"),
    path("repeating/uploads/<int:pk>/", repeating_views.repeating_upload, name="repeating-upload"),
    path("repeating/uploads/<int:pk>/state", repeating_views.repeating_upload_state, name="repeating-upload-state"),
    path("repeating/uploads/<int:pk>/confirm/", repeating_views.repeating_upload_confirm,
         name="repeating-upload-confirm"),
    path("", include("tenants.urls")),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("hub.api_urls")),
]
