from django.urls import path

from bridgework.prompts import views

urlpatterns = [
    path("me/prompts/<int:prompt_id>/", views.open_prompt),
    path("me/prompts/<int:prompt_id>/snooze/", views.snooze),
    path("me/reminders/", views.my_reminders),
    path("me/reminders/<int:schedule_id>/", views.my_schedule),
    path("me/reminders/calendar/", views.calendar_feed),
    path("me/plans/<int:plan_id>/reminders/new/", views.add_reminder),
    path("me/push/subscribe/", views.push_subscribe),
    path("calendar/<str:token>.ics", views.feed),
    path("clients/<int:client_id>/reminders/", views.client_reminders),
    path("clients/<int:client_id>/reminders/new/", views.new_schedule),
    path("schedules/<int:schedule_id>/", views.edit_schedule),
]
