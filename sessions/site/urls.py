from django.urls import path

from sessions.site import views as personal_data

app_name = "personal_data"

urlpatterns = [
    path("", personal_data.page, name="page"),
    path("download.json", personal_data.download_json, name="json"),
    path("download.csv", personal_data.download_csv, name="csv"),
    path("close/", personal_data.close, name="close"),
]
