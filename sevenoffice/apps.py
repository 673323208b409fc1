from django.apps import AppConfig


class SevenOfficeConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "sevenoffice"
