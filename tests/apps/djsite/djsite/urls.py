from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from . import views

urlpatterns = [
    path('hello/<str:name>/', views.hello),
    path('upload/', csrf_exempt(views.upload)),
]
