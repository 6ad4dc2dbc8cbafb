from django.shortcuts import render
from django.views.decorators.http import require_GET


@require_GET
def reminder_list(request):
    return render(request, "journal/reminder_list.html", {})
