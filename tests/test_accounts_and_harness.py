"""Registering partners and users through the service layer, inside the rolled-back harness."""

import pytest
from sqlalchemy import func, select, text

from clearinghouse.accounts.models import OrderMode, Provider, User
from clearinghouse.accounts.passwords import verify_password
from clearinghouse.accounts.services import add_provider, add_user
from clearinghouse.errors import Conflict, InvalidValue, NotFound


def test_add_provider_and_user(session):
    provider = add_provider(
        session, "LPDAAC_ECS", email="lp@example.org", ftp_password="ftp-password", mode="async"
    )
    assert provider.order_mode is OrderMode.ASYNC
    assert provider.supported_transactions == ["QUOTE", "SUBMIT", "CANCEL"]
    assert verify_password(provider.ftp_password_hash, "ftp-password")
    assert not verify_password(provider.ftp_password_hash, "wrong-password")

    user = add_user(session, "Dana", password="dana-password", providers=["LPDAAC_ECS"])
    assert [p.provider_id for p in user.providers] == ["LPDAAC_ECS"]
    assert not user.is_admin
    with pytest.raises(Conflict, match="user dana already exists"):
        add_user(session, "dana", password="other-password")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"provider_id": "lower"}, "upper-case letters"),
        ({"email": "nobody"}, "not an e-mail address"),
        ({"endpoint": "ftp://x"}, "not an http:// or https:// URL"),
        ({"mode": "batch"}, "use sync or async"),
        ({"transactions": ["QUOTE", "ORDER"]}, "'ORDER': use QUOTE, SUBMIT or CANCEL"),
        ({"ftp_password": "short"}, "at least 8 characters"),
    ],
)
def test_add_provider_refuses_bad_values(session, kwargs, message):
    args = {"provider_id": "GOOD", "email": "a@b.org", "ftp_password": "long-enough", **kwargs}
    with pytest.raises(InvalidValue, match=message):
        add_provider(session, args.pop("provider_id"), **args)
    assert session.get(Provider, "GOOD") is None


def test_add_user_refuses_unknown_provider(session):
    with pytest.raises(NotFound, match="provider NOWHERE does not exist"):
        add_user(session, "erin", password="erin-password", providers=["NOWHERE"])
    assert session.scalar(select(func.count()).select_from(User)) == 0


def test_each_test_writes_inside_a_transaction_nobody_else_sees(session, engine):
    add_provider(session, "INVISIBLE", email="a@b.org", ftp_password="long-enough")
    session.flush()
    with engine.connect() as other:
        seen = other.execute(
            text("SELECT count(*) FROM providers WHERE provider_id = 'INVISIBLE'")
        ).scalar()
    assert seen == 0
    assert session.get(Provider, "INVISIBLE") is not None


def test_a_failed_session_block_rolls_back_only_its_savepoint(db):
    with db.session() as session:
        add_provider(session, "KEPT", email="a@b.org", ftp_password="long-enough")
    with pytest.raises(Conflict), db.session() as session:
        session.execute(
            text("INSERT INTO providers (provider_id, contact_email) VALUES ('KEPT', 'x@y.z')")
        )
    with db.session() as session:
        assert session.get(Provider, "KEPT").contact_email == "a@b.org"
