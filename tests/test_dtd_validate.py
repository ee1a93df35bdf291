"""dtd.validate: the one validator, safe across threads, telling the sender what was expected."""

from __future__ import annotations

import random
import re
import sys
import threading

import pytest
from lxml import etree

import dtd
from clearinghouse.errors import InvalidXML
from dtd import content

THREADS = 16
PER_THREAD = 250


def _bogus(thread: int, n: int) -> tuple[str, int, etree._Element]:
    """A distinct invalid answer: its own unknown element, on a line of its own."""
    name = f"Bogus_{thread}_{n}"
    line = 2 + n % 40
    body = (
        "<QuoteProviderOrderResponse>"
        + "\n" * (line - 1)
        + f"<Order><ECHOOrderID>g</ECHOOrderID><{name}/></Order></QuoteProviderOrderResponse>"
    )
    return name, line, etree.fromstring(body)


@pytest.fixture
def eager_switching():
    """Threads switched as often as the interpreter can: the gap between validating and reading
    the errors, where another thread's validation got in, is then open in every test run."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(before)


def test_threads_validating_at_once_each_get_their_own_documents_errors(eager_switching):
    barrier = threading.Barrier(THREADS)
    wrong: list[str] = []
    counted = [0] * THREADS

    def work(thread: int) -> None:
        documents = [_bogus(thread, n) for n in range(PER_THREAD)]
        barrier.wait()
        for name, line, element in documents:
            try:
                errors = dtd.validate("PartnerAnswer.dtd", element)
            except Exception as error:  # any exception is a failure to show
                wrong.append(f"{name}: {error!r}")
                continue
            named = [set(re.findall(r"Bogus_\d+_\d+", e.message)) for e in errors]
            if len(errors) != 2 or any(names != {name} for names in named):
                wrong.append(f"{name}: {[e.message for e in errors]}")
            elif any(e.line != line for e in errors):
                wrong.append(f"{name} on line {line}: {[e.line for e in errors]}")
            counted[thread] += 1

    threads = [threading.Thread(target=work, args=(t,)) for t in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not wrong, f"{len(wrong)} of {THREADS * PER_THREAD}: {wrong[:5]}"
    assert counted == [PER_THREAD] * THREADS


ANSWER = "<{r}Response><Order><ECHOOrderID>g</ECHOOrderID>{o}</Order></{r}Response>"


@pytest.mark.parametrize(
    ("request_name", "outcome", "expected"),
    [
        (
            "QuoteProviderOrder",
            "<ProviderQuote><TotalPrice>1</TotalPrice><ExpirationDate>2030-01-01</ExpirationDate>"
            "</ProviderQuote>",
            "ProviderQuote: expected QuoteExpirationDate, got ExpirationDate (DataCost, MediaCost,"
            " ShippingCost, HandlingCost, Discount, RecommendedMedia or MediaQuantity may come"
            " before it)",
        ),
        (
            "SubmitProviderOrder",
            "<ProviderOrderAcceptance><DataCost>1</DataCost></ProviderOrderAcceptance>",
            "ProviderOrderAcceptance: expected TotalPrice, got DataCost (latestCancelDate,"
            " estimatedShipDate or additionalInformation may come before it)",
        ),
        (
            "SubmitProviderOrder",
            "<ProviderOrderAcceptance/>",
            "ProviderOrderAcceptance: expected TotalPrice, got the end of ProviderOrderAcceptance"
            " (latestCancelDate, estimatedShipDate or additionalInformation may come before it)",
        ),
        (
            "CancelProviderOrder",
            "<StatusMessage>x</StatusMessage><CancellationAcceptance/>",
            "Order: expected StatusMessage or the end of Order, got CancellationAcceptance",
        ),
    ],
)
def test_a_content_error_names_what_the_dtd_expected_there(request_name, outcome, expected):
    root = etree.fromstring(ANSWER.format(r=request_name, o=outcome))
    first = dtd.validate("PartnerAnswer.dtd", root)[0]
    assert first.message == expected
    assert first.line == 1 and first.column is None


def test_without_narrows_what_the_sender_is_offered():
    root = etree.fromstring(ANSWER.format(r="CancelProviderOrder", o="<Accepted>true</Accepted>"))
    first = dtd.validate("PartnerAnswer.dtd", root)[0]
    assert first.element == "Order" and first.mismatch.got == "Accepted"
    others = {"ProviderQuote", "QuoteRejection", "ProviderOrderAcceptance", "SubmissionRejection"}
    assert first.without(others).message == (
        "Order: expected ProviderTrackingID, CancellationAcceptance, CancellationRejection,"
        " StatusMessage or the end of Order, got Accepted"
    )


def test_a_subtree_is_judged_with_its_lines_in_the_whole_document():
    document = etree.fromstring(
        "<QuoteProviderOrderResponse>\n<Order>\n<ECHOOrderID>g</ECHOOrderID>\n"
        "<ProviderQuote>\n<TotalPrice>1</TotalPrice>\n</ProviderQuote>\n</Order>\n"
        "</QuoteProviderOrderResponse>"
    )
    [error] = dtd.validate("PartnerAnswer.dtd", document.find("Order/ProviderQuote"))
    assert error.line == 4 and error.element == "ProviderQuote"
    assert "expected QuoteExpirationDate, got the end of ProviderQuote" in error.message


def test_other_errors_keep_libxml2s_words_and_valid_documents_have_none():
    bad = etree.fromstring('<Login><UserName x="1">a</UserName><Password>p</Password></Login>')
    assert [e.message for e in dtd.validate("Session.dtd", bad)] == [
        "No declaration for attribute x of element UserName"
    ]
    good = etree.fromstring("<Login><UserName>a</UserName><Password>p</Password></Login>")
    assert dtd.validate("Session.dtd", good) == []


def test_check_raises_the_first_error_naming_the_dtd_and_reads_blank_leaves_as_empty():
    """``dtd.check``, the one check of the documents clients send (the message API, AQL)."""
    bad = etree.fromstring('<Login>\n<UserName x="1">a</UserName><Password>p</Password></Login>')
    with pytest.raises(InvalidXML) as info:
        dtd.check("Session.dtd", bad)
    assert info.value.message == "No declaration for attribute x of element UserName (Session.dtd)"
    assert info.value.line == 2 and info.value.status == 400
    # aql.dtd declares <all/> EMPTY: a blank line inside it is no content to a client's eye.
    query = etree.fromstring(
        '<query><for value="collections"/><dataCenterId><all>\n</all></dataCenterId>'
        "<where><collectionCondition><shortName><value>X</value></shortName>"
        "</collectionCondition></where></query>"
    )
    assert dtd.validate("aql.dtd", query) != []
    dtd.check("aql.dtd", query)


def _walk(m, rng) -> list[str]:
    """Children following the model, then perhaps broken at a random place."""
    children: list[str] = []
    while len(children) < 12:
        choices = content.firsts(m)
        if not choices or (content.nullable(m) and rng.random() < 0.3):
            break
        children.append(rng.choice(choices))
        m = content.after(m, children[-1])
    if rng.random() < 0.5:
        where = rng.randrange(len(children) + 1)
        wrong = rng.choice(["Unknown", *(children or ["Unknown"])])
        action = rng.choice(["insert", "drop", "swap"])
        if action == "insert":
            children.insert(where, wrong)
        elif children and action == "drop":
            children.pop(min(where, len(children) - 1))
        elif len(children) > 1:
            i = min(where, len(children) - 2)
            children[i], children[i + 1] = children[i + 1], children[i]
    return children


@pytest.mark.parametrize(
    "name", ["PartnerAnswer.dtd", "ProviderOrderManagementService.dtd", "granule.dtd", "aql.dtd"]
)
def test_the_content_models_read_from_a_dtd_judge_as_libxml2_does(name):
    rng = random.Random(name)
    declared = [d for d in etree.DTD(str(dtd.path(name))).iterelements() if d.type == "element"]
    judged = {True: 0, False: 0}
    for _ in range(400):
        declaration = rng.choice(declared)
        m = content.model(declaration.content)
        children = _walk(m, rng)
        body = f"<{declaration.name}>" + "".join(f"\n<{c}/>" for c in children)
        element = etree.fromstring(body + f"\n</{declaration.name}>")
        errors = dtd.validate(name, element)
        refused = [e for e in errors if e.element == declaration.name and e.line == 1]
        where = content.mismatch(m, children)
        assert bool(refused) == (where is not None), (declaration.name, children, errors)
        judged[where is None] += 1
        if where is not None:
            assert refused[0].mismatch == where
    assert min(judged.values()) > 50, judged  # valid and broken content alike
