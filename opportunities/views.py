from django.shortcuts import render
from django.views.decorators.http import require_GET


@require_GET
def opportunity_list(request):
    return render(request, "opportunities/opportunity_list.html", {})


@require_GET
def opportunity_board(request):
    return render(request, "opportunities/opportunity_board.html", {})


def opportunity_create(request):
    return render(request, "opportunities/opportunity_form.html", {})


@require_GET
def opportunity_detail(request, short_name):
    return render(request, "opportunities/opportunity_detail.html", {})
