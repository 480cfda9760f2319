from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from cmrnet.people import account_views

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/reset/", account_views.PasswordResetView.as_view(success_url=reverse_lazy("password_reset_done")), name="password_reset"),
    path("password/reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("password/reset/<uidb64>/<token>/", account_views.PasswordResetConfirmView.as_view(success_url=reverse_lazy("password_reset_complete")), name="password_reset_confirm"),
    path("password/reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("password/change/", account_views.PasswordChangeView.as_view(), name="password_change"),
    path("invitation/<str:token>/", account_views.invitation_accept, name="invitation-accept"),
]
