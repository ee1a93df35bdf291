"""UserAccountService, ProviderProfileService and AdministrationService through Perform."""

from __future__ import annotations

from sqlalchemy import select

from clearinghouse.accounts.models import OrderMode, Provider
from tests.api_support import (
    PASSWORD,
    act_for,
    error,
    login,
    perform,
    performed,
    post,
    provider,
    user,
)

ACCOUNT = "UserAccountService"
ADMIN = "AdministrationService"
HOME = (
    "<AddressInformation><AddressId>home</AddressId><Usage>shipping</Usage>"
    "<Street1>1 Main St</Street1><Street2>Apt 2</Street2><City>Greenbelt</City>"
    "<State>MD</State><Zip>20771</Zip><Country>USA</Country></AddressInformation>"
)


def test_registration_with_addresses_and_phones(client):
    performed(
        client,
        None,
        "RegistrationService",
        "<CreateUserRequest><UserName>mia</UserName><Password>long enough</Password>"
        f"<UserInformation><FirstName>Mia</FirstName><LastName>Ko</LastName>"
        f"<EmailAddress>mia@example.org</EmailAddress>{HOME}<PhoneInformation>"
        "<Number>+1 301 555 0100</Number><PhoneType>BUSINESS</PhoneType>"
        "</PhoneInformation></UserInformation></CreateUserRequest>",
    )
    me = performed(
        client, login(client, "mia", "long enough"), ACCOUNT, "<GetUserInformationRequest/>"
    )
    address = me.find("User/UserInformation/AddressInformation")
    assert [c.tag for c in address] == [
        "AddressId",
        "Usage",
        "USFormat",
        "Street1",
        "Street2",
        "City",
        "State",
        "Zip",
        "Country",
    ]
    assert address.findtext("Usage") == "SHIPPING"
    assert me.findtext("User/UserInformation/PhoneInformation/Number") == "+1 301 555 0100"


def test_registration_refusals(client, session):
    user(session, "taken")
    create = (
        "<CreateUserRequest><UserName>{name}</UserName><Password>{password}</Password>"
        "<UserInformation><FirstName>A</FirstName><LastName>B</LastName>"
        "<EmailAddress>{email}</EmailAddress></UserInformation></CreateUserRequest>"
    )
    error(
        perform(
            client,
            None,
            "RegistrationService",
            create.format(name="TAKEN", password=PASSWORD, email="a@b.org"),
        ),
        409,
        "Conflict",
    )
    fields = error(
        perform(
            client,
            None,
            "RegistrationService",
            create.format(name="new", password="short", email="a@b.org"),
        ),
        400,
        "InvalidValue",
    )
    assert "at least 8" in fields["Message"] and "short" not in fields["Message"]
    error(
        perform(
            client,
            None,
            "RegistrationService",
            create.format(name="new", password=PASSWORD, email="nope"),
        ),
        400,
        "InvalidValue",
    )
    error(
        perform(
            client,
            None,
            "RegistrationService",
            create.format(name="two words", password=PASSWORD, email="a@b.org"),
        ),
        400,
        "InvalidValue",
    )


def test_a_user_keeps_its_own_account(client, session):
    user(session, "ned")
    token = login(client, "ned")
    performed(
        client,
        token,
        ACCOUNT,
        "<UpdateUserInformationRequest><FirstName>Ned</FirstName>"
        "<EmailAddress>ned@new.example.org</EmailAddress></UpdateUserInformationRequest>",
    )
    performed(client, token, ACCOUNT, f"<AddAddressRequest>{HOME}</AddAddressRequest>")
    error(
        perform(client, token, ACCOUNT, f"<AddAddressRequest>{HOME}</AddAddressRequest>"),
        409,
        "Conflict",
    )
    performed(
        client,
        token,
        ACCOUNT,
        "<AddAddressRequest><AddressInformation><AddressId>office</AddressId>"
        "<Usage>BILLING</Usage><USFormat>false</USFormat><Street1>Rue 1</Street1>"
        "<Country>France</Country></AddressInformation></AddAddressRequest>",
    )
    performed(
        client,
        token,
        ACCOUNT,
        "<UpdateAddressRequest><AddressInformation><AddressId>home</AddressId>"
        "<Street1>2 Main St</Street1></AddressInformation></UpdateAddressRequest>",
    )
    performed(
        client,
        token,
        ACCOUNT,
        "<AddPhoneRequest><PhoneInformation><Number>555</Number></PhoneInformation>"
        "</AddPhoneRequest>",
    )
    me = performed(client, token, ACCOUNT, "<GetUserInformationRequest/>")
    info = me.find("User/UserInformation")
    assert info.findtext("FirstName") == "Ned"
    assert info.findtext("EmailAddress") == "ned@new.example.org"
    addresses = {a.findtext("AddressId"): a for a in info.iterfind("AddressInformation")}
    assert addresses["home"].findtext("Street1") == "2 Main St"
    assert addresses["home"].find("City") is None  # replaced whole
    assert addresses["office"].findtext("USFormat") == "false"

    performed(
        client,
        token,
        ACCOUNT,
        "<RemoveAddressRequest><AddressId>office</AddressId></RemoveAddressRequest>",
    )
    error(
        perform(
            client,
            token,
            ACCOUNT,
            "<RemoveAddressRequest><AddressId>office</AddressId></RemoveAddressRequest>",
        ),
        404,
        "NotFound",
    )
    performed(
        client, token, ACCOUNT, "<RemovePhoneRequest><Number>555</Number></RemovePhoneRequest>"
    )
    me = performed(client, token, ACCOUNT, "<GetUserInformationRequest/>")
    assert [a.text for a in me.iterfind("User/UserInformation/AddressInformation/AddressId")] == [
        "home"
    ]
    assert me.find("User/UserInformation/PhoneInformation") is None


def test_changing_the_password_ends_the_other_sessions(client, session):
    user(session, "ola")
    here, elsewhere = login(client, "ola"), login(client, "ola")
    error(
        perform(
            client,
            here,
            ACCOUNT,
            "<ChangePasswordRequest><OldPassword>not it at all</OldPassword>"
            "<NewPassword>brand new one</NewPassword></ChangePasswordRequest>",
        ),
        403,
        "Forbidden",
    )
    error(
        perform(
            client,
            here,
            ACCOUNT,
            "<ChangePasswordRequest><NewPassword>brand new one</NewPassword>"
            "</ChangePasswordRequest>",
        ),
        400,
        "InvalidValue",
    )
    performed(
        client,
        here,
        ACCOUNT,
        f"<ChangePasswordRequest><OldPassword>{PASSWORD}</OldPassword>"
        "<NewPassword>brand new one</NewPassword></ChangePasswordRequest>",
    )
    performed(client, here, ACCOUNT, "<GetUserInformationRequest/>")
    error(
        perform(client, elsewhere, ACCOUNT, "<GetUserInformationRequest/>"), 401, "NotAuthenticated"
    )
    error(
        post(
            client,
            "login",
            None,
            f"<Login><UserName>ola</UserName><Password>{PASSWORD}</Password></Login>",
        ),
        401,
        "NotAuthenticated",
    )
    login(client, "ola", "brand new one")


def test_a_partner_keeps_its_profile_and_order_policy(client, session):
    provider(session, "ORNL")
    user(session, "partner", providers=["ORNL"])
    token = login(client, "partner")
    act_for(client, token, "ORNL")
    updated = performed(
        client,
        token,
        "ProviderProfileService",
        "<UpdateProviderProfileRequest><Name>ORNL DAAC</Name><OrderPolicy>"
        "<Endpoint>http://127.0.0.1:9999/orders</Endpoint><Mode>ASYNC</Mode>"
        "<RetryAttempts>5</RetryAttempts><SupportedTransactions>"
        "<Transaction>SUBMIT</Transaction><Transaction>QUOTE</Transaction>"
        "</SupportedTransactions></OrderPolicy></UpdateProviderProfileRequest>",
    )
    assert updated.findtext("ProviderProfile/Name") == "ORNL DAAC"
    assert [
        t.text
        for t in updated.iterfind("ProviderProfile/OrderPolicy/SupportedTransactions/Transaction")
    ] == ["QUOTE", "SUBMIT"]
    session.expire_all()
    ornl = session.get(Provider, "ORNL")
    assert ornl.order_mode is OrderMode.ASYNC
    assert (ornl.retry_attempts, ornl.retry_wait_seconds) == (5, 60)
    for bad in (
        "<Mode>later</Mode>",
        "<RetryAttempts>-1</RetryAttempts>",
        "<Endpoint>ftp://x</Endpoint>",
        "<SupportedTransactions><Transaction>SELL</Transaction></SupportedTransactions>",
    ):
        error(
            perform(
                client,
                token,
                "ProviderProfileService",
                f"<UpdateProviderProfileRequest><OrderPolicy>{bad}</OrderPolicy>"
                "</UpdateProviderProfileRequest>",
            ),
            400,
            "InvalidValue",
        )


def test_administrators_manage_providers_and_users(client, session):
    user(session, "root", admin=True)
    user(session, "pat")
    admin = login(client, "root")
    created = performed(
        client,
        admin,
        ADMIN,
        "<CreateProviderRequest><ProviderId>GESDISC</ProviderId>"
        "<ContactEmail>ops@gesdisc.example.org</ContactEmail>"
        "<FtpPassword>ftp secret 1</FtpPassword><Name>GES DISC</Name>"
        "</CreateProviderRequest>",
    )
    assert created.findtext("ProviderProfile/Name") == "GES DISC"
    error(
        perform(
            client,
            admin,
            ADMIN,
            "<CreateProviderRequest><ProviderId>GESDISC</ProviderId><ContactEmail>a@b.org"
            "</ContactEmail><FtpPassword>ftp secret 1</FtpPassword></CreateProviderRequest>",
        ),
        409,
        "Conflict",
    )
    paused = performed(
        client,
        admin,
        ADMIN,
        "<UpdateProviderRequest><ProviderId>GESDISC</ProviderId>"
        "<IngestPaused>true</IngestPaused></UpdateProviderRequest>",
    )
    assert paused.findtext("ProviderProfile/IngestPaused") == "true"
    listed = performed(client, admin, ADMIN, "<GetProvidersRequest/>")
    assert [p.findtext("ProviderId") for p in listed] == ["GESDISC"]

    made = performed(
        client,
        admin,
        ADMIN,
        "<CreateUserRequest><UserName>quinn</UserName><Password>quinn's own</Password>"
        "<UserInformation><FirstName>Q</FirstName><LastName>Z</LastName>"
        "<EmailAddress>q@example.org</EmailAddress></UserInformation>"
        "<ProviderRoles><ProviderId>GESDISC</ProviderId></ProviderRoles>"
        "</CreateUserRequest>",
    )
    assert made.findtext("User/ProviderRoles/ProviderId") == "GESDISC"
    quinn = login(client, "quinn", "quinn's own")
    act_for(client, quinn, "GESDISC")
    performed(client, quinn, "ProviderProfileService", "<GetProviderProfileRequest/>")

    # Deactivated, pat's sessions end and pat cannot log in.
    pat = login(client, "pat")
    performed(
        client,
        admin,
        ADMIN,
        "<UpdateUserRequest><UserName>pat</UserName><Active>false</Active></UpdateUserRequest>",
    )
    error(perform(client, pat, ACCOUNT, "<GetUserInformationRequest/>"), 401, "NotAuthenticated")
    error(
        post(
            client,
            "login",
            None,
            f"<Login><UserName>pat</UserName><Password>{PASSWORD}</Password></Login>",
        ),
        401,
        "NotAuthenticated",
    )
    users = performed(
        client, admin, ADMIN, "<GetUsersRequest><UserName>PAT</UserName></GetUsersRequest>"
    )
    assert users.findtext("User/Active") == "false"
    error(
        perform(
            client, admin, ADMIN, "<GetUsersRequest><UserName>nobody</UserName></GetUsersRequest>"
        ),
        404,
        "NotFound",
    )

    # Nobody else administers.
    for token in (None, quinn):
        response = perform(client, token, ADMIN, "<GetProvidersRequest/>")
        assert response.status_code in (401, 403)
    assert session.scalar(select(Provider.provider_id).where(Provider.provider_id == "GESDISC"))


def test_an_administrator_unlocks_a_locked_account(client, session):
    user(session, "root", admin=True)
    user(session, "rex")
    for _ in range(5):
        post(
            client,
            "login",
            None,
            "<Login><UserName>rex</UserName><Password>wrong guess</Password></Login>",
        )
    error(
        post(
            client,
            "login",
            None,
            f"<Login><UserName>rex</UserName><Password>{PASSWORD}</Password></Login>",
        ),
        403,
        "AccountLocked",
    )
    performed(
        client,
        login(client, "root"),
        ADMIN,
        "<UpdateUserRequest><UserName>rex</UserName><Unlock/></UpdateUserRequest>",
    )
    login(client, "rex")
