"""The hub's Celery app: `celery -A hub worker` and `celery -A hub beat`."""

import os
from pathlib import Path

from celery import Celery
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings")

app = Celery("hub")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# kombu's filesystem transport needs its folders to exist before anything connects.
for option in ("data_folder_in", "data_folder_out", "control_folder"):
    folder = (app.conf.broker_transport_options or {}).get(option)
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)


@worker_process_init.connect
def sevenoffice_warm_up(**_):
    """Each pool process parses the 24SO WSDLs as it starts, not on its first export chunk."""
    from django.conf import settings

    from sevenoffice.transport import warm_up

    warm_up(api_url=settings.SEVENOFFICE_API_URL, webservices_url=settings.SEVENOFFICE_WEBSERVICES_URL)
