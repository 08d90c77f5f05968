from django.urls import path

from groups.views import audiences

app_name = "audiences"

urlpatterns = [
    path("", audiences.audience_list, name="list"),
    path("<int:pk>/rename/", audiences.rename, name="rename"),
    path("<int:pk>/move/", audiences.move, name="move"),
    path("<int:pk>/retire/", audiences.retire, name="retire"),
]
