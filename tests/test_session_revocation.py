"""Rights taken away take effect on the user's open sessions at once: provider roles,
administrator rights, groups, passwords, deactivation, locks and deletion, each changed through
the API (the CLI only adds users: it changes no one's rights)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import delete, func

from clearinghouse.accounts.models import User
from ingest.pipeline import ingest_file
from tests.api_support import (
    PASSWORD,
    act_for,
    error,
    login,
    perform,
    performed,
    post,
    provider,
    share_with_group,
    user,
)
from tests.ingest_support import collection, granule, wrap, write

ADMIN = "AdministrationService"
GROUPS = "GroupManagementService"
ACCOUNT = "UserAccountService"


@pytest.fixture
def restricted(db, session, client, tmp_path):
    """ORNL's DS 1 (one granule) is readable by its group "team" only (member is in it); DS 2 is
    open. partner acts for ORNL; root administers."""
    provider(session, "ORNL")
    for name, root, section, records in (
        (
            "c.xml",
            "CollectionMetaDataFile",
            "Collections",
            [collection("C1", dataset="DS 1"), collection("C2", dataset="DS 2")],
        ),
        ("g.xml", "GranuleMetaDataFile", "Granules", [granule("G1", dataset="DS 1")]),
    ):
        path = write(tmp_path, name, wrap(root, {section: records}))
        assert ingest_file(db, path, "ORNL").inserted == len(records)
    user(session, "partner", providers=["ORNL"])
    user(session, "member")
    user(session, "root", admin=True)
    partner = login(client, "partner")
    act_for(client, partner, "ORNL")
    share_with_group(client, partner, "DS 1", group="team", member="member")
    return partner


def _seen(client, token, target="collections") -> set[str]:
    response = client.get(f"/search/{target}.json", headers={"Echo-Token": token})
    assert response.status_code == 200, response.data
    return {entry["title"] for entry in json.loads(response.data)["feed"]["entry"]}


def _admin(client, request: str) -> None:
    performed(client, login(client, "root"), ADMIN, request)


def test_a_removed_provider_role_ends_the_sessions_provider_context(client, restricted):
    partner = restricted
    assert _seen(client, partner) == {"DS 1", "DS 2"}
    assert _seen(client, partner, "granules") == {"G1"}
    performed(client, partner, GROUPS, "<GetAccessRulesRequest/>")
    performed(client, partner, "ProviderOrderManagementService", "<GetProviderOrdersRequest/>")

    _admin(
        client,
        "<UpdateUserRequest><UserName>partner</UserName><ProviderRoles/></UpdateUserRequest>",
    )

    assert _seen(client, partner) == {"DS 2"}
    assert _seen(client, partner, "granules") == set()
    for service, request in (
        (GROUPS, "<GetAccessRulesRequest/>"),
        ("ProviderOrderManagementService", "<GetProviderOrdersRequest/>"),
    ):
        error(perform(client, partner, service, request), 403, "Forbidden")
    error(act_for(client, partner, "ORNL"), 403, "Forbidden")


def test_a_removed_administrator_right_ends_acting_as_another_user(client, restricted):
    root = login(client, "root")
    post(
        client, "user-context", root, "<SetUserContext><UserName>member</UserName></SetUserContext>"
    )
    me = performed(client, root, ACCOUNT, "<GetUserInformationRequest/>")
    assert me.findtext("User/UserName") == "member"

    _admin(
        client,
        "<UpdateUserRequest><UserName>root</UserName>"
        "<Administrator>false</Administrator></UpdateUserRequest>",
    )

    me = performed(client, root, ACCOUNT, "<GetUserInformationRequest/>")
    assert me.findtext("User/UserName") == "root"
    assert _seen(client, root) == {"DS 2"}  # neither an administrator nor the member any more
    error(perform(client, root, ADMIN, "<GetUsersRequest/>"), 403, "Forbidden")


def test_leaving_a_group_takes_its_rights_from_open_sessions(client, restricted):
    member = login(client, "member")
    assert _seen(client, member) == {"DS 1", "DS 2"}
    leave = "<GroupName>team</GroupName><UserName>member</UserName>"
    performed(
        client,
        restricted,
        GROUPS,
        f"<RemoveGroupMembersRequest>{leave}</RemoveGroupMembersRequest>",
    )
    assert _seen(client, member) == {"DS 2"}


@pytest.mark.parametrize(
    "change",
    [
        "<Password>another password</Password>",
        "<Active>false</Active>",
    ],
    ids=["password", "deactivated"],
)
def test_a_new_password_or_deactivation_ends_open_sessions(client, restricted, change):
    member = login(client, "member")
    _admin(client, f"<UpdateUserRequest><UserName>member</UserName>{change}</UpdateUserRequest>")
    error(perform(client, member, ACCOUNT, "<GetUserInformationRequest/>"), 401, "NotAuthenticated")


def test_changing_ones_own_password_ends_the_other_sessions(client, restricted):
    here, elsewhere = login(client, "member"), login(client, "member")
    performed(
        client,
        here,
        ACCOUNT,
        f"<ChangePasswordRequest><OldPassword>{PASSWORD}"
        "</OldPassword><NewPassword>another password</NewPassword>"
        "</ChangePasswordRequest>",
    )
    performed(client, here, ACCOUNT, "<GetUserInformationRequest/>")
    error(
        perform(client, elsewhere, ACCOUNT, "<GetUserInformationRequest/>"), 401, "NotAuthenticated"
    )


def test_a_locked_account_loses_its_open_sessions(client, restricted):
    member = login(client, "member")
    wrong = "<Login><UserName>member</UserName><Password>wrong guess</Password></Login>"
    for _ in range(5):
        post(client, "login", None, wrong)
    error(perform(client, member, ACCOUNT, "<GetUserInformationRequest/>"), 401, "NotAuthenticated")
    # Unlocked, the account logs in afresh; the old session stays ended.
    _admin(client, "<UpdateUserRequest><UserName>member</UserName><Unlock/></UpdateUserRequest>")
    assert _seen(client, login(client, "member")) == {"DS 1", "DS 2"}
    error(perform(client, member, ACCOUNT, "<GetUserInformationRequest/>"), 401, "NotAuthenticated")


def test_a_deleted_user_has_no_session(client, session, restricted):
    # No API deletes users; an operator does it in the database, and the sessions go with it.
    member = login(client, "member")
    session.execute(delete(User).where(func.lower(User.username) == "member"))
    session.commit()
    error(perform(client, member, ACCOUNT, "<GetUserInformationRequest/>"), 401, "NotAuthenticated")
