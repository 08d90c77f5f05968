from django.urls import path

from groups import views

app_name = "groups"

# "mine", "new", "propose", "proposals" and "contact" come before <slug> and are reserved
# (groups.forms.RESERVED_SLUGS).
urlpatterns = [
    path("", views.finder, name="finder"),
    path("mine/", views.mine, name="mine"),
    path("new/", views.create_group, name="create"),
    path("propose/", views.proposals.propose, name="propose"),
    path("proposals/", views.proposals.queue, name="proposals"),
    path("proposals/creators/", views.proposals.allow_creator, name="allow_creator"),
    path("proposals/<int:proposal_id>/approve/", views.proposals.approve, name="approve_proposal"),
    path("proposals/<int:proposal_id>/decline/", views.proposals.decline, name="decline_proposal"),
    path("contact/<str:token>/", views.contact.confirm_contact, name="confirm_contact"),
    path("<slug:slug>/", views.detail, name="detail"),
    path("<slug:slug>/join/", views.request_to_join, name="join"),
    path("<slug:slug>/accept-place/", views.accept_offer, name="accept_offer"),
    path("<slug:slug>/leave/", views.leave, name="leave"),
    path("<slug:slug>/contact/", views.contact.contact, name="contact"),
    path("<slug:slug>/roster/", views.roster, name="roster"),
    path("<slug:slug>/roster.csv", views.roster_csv, name="roster_csv"),
    path("<slug:slug>/roster/add/", views.add_member, name="add_member"),
    path("<slug:slug>/roster/<int:membership_id>/approve/", views.approve, name="approve"),
    path("<slug:slug>/roster/<int:membership_id>/decline/", views.decline, name="decline"),
    path("<slug:slug>/roster/<int:membership_id>/promote/", views.promote, name="promote"),
    path("<slug:slug>/roster/<int:membership_id>/remove/", views.remove, name="remove"),
    path(
        "<slug:slug>/invites/<int:invite_id>/withdraw/",
        views.cancel_invite,
        name="cancel_invite",
    ),
    path("<slug:slug>/settings/", views.group_settings, name="settings"),
    path("<slug:slug>/leaders/add/", views.appoint_leader, name="appoint_leader"),
    path("<slug:slug>/listing/", views.leaders.listing, name="listing"),
    path(
        "<slug:slug>/leaders/<int:leadership_id>/role/",
        views.leaders.change_role,
        name="change_leader_role",
    ),
    path(
        "<slug:slug>/leaders/<int:leadership_id>/remove/",
        views.remove_leader,
        name="remove_leader",
    ),
]
