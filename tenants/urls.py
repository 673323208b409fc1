from django.urls import path

from tenants import admin_views as views

urlpatterns = [
    path("marketplace/", views.marketplace, name="marketplace"),
    path("marketplace/24sevenoffice/activate/", views.integration_activate, name="integration-activate"),
    path("marketplace/24sevenoffice/deactivate/", views.integration_deactivate, name="integration-deactivate"),
    path("settings/24sevenoffice/", views.integration_settings, name="integration-settings"),
    path("settings/credentials/", views.credential_list, name="credential-list"),
    path("settings/credentials/add/", views.credential_add, name="credential-add"),
    path("settings/credentials/<int:pk>/", views.credential_edit, name="credential-edit"),
    path("settings/credentials/<int:pk>/rotate/", views.credential_rotate, name="credential-rotate"),
    path("settings/credentials/<int:pk>/delete/", views.credential_delete, name="credential-delete"),
    path("settings/credentials/<int:pk>/test/", views.credential_test, name="credential-test"),
    path("settings/credentials/<int:pk>/identity/", views.credential_identity, name="credential-identity"),
    path("settings/users/", views.users, name="users"),
    path("settings/users/<int:pk>/", views.user_edit, name="user-edit"),
    path("settings/api-keys/", views.api_keys, name="api-keys"),
    path("settings/api-keys/<int:pk>/revoke/", views.api_key_revoke, name="api-key-revoke"),
    path("settings/audit/", views.audit_log, name="audit-log"),
    path("health/", views.health_view, name="health"),
]
