from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from groups.models import BalintGroup, GroupStatus


@require_GET
def finder(request):
    groups = BalintGroup.objects.exclude(status=GroupStatus.CLOSED).order_by("name")
    return render(request, "groups/finder.html", {"groups": groups})


@require_GET
def detail(request, slug: str):
    group = get_object_or_404(BalintGroup.objects.exclude(status=GroupStatus.CLOSED), slug=slug)
    return render(request, "groups/detail.html", {"group": group})
