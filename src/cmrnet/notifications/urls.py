from django.urls import path

from cmrnet.notifications import views

urlpatterns = [
    path("", views.notification_list, name="notification-list"),
    path("read-all/", views.notification_mark_all_read, name="notification-read-all"),
    path("preferences/", views.preferences, name="notification-preferences"),
    path("<int:pk>/", views.notification_open, name="notification-open"),
]
