"""The RFC 8288 Link header parser: hand-picked cases plus generated valid headers."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tether._pagination import find_link, parse_link_header

TCHARS = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
# RFC 3986 characters allowed in a URI-reference (no <, >, ", space).
URI_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~:/?#[]@!$&'()*+,;=%"


def rels(header: str, base: str | None = None) -> list[tuple[tuple[str, ...], str]]:
    return [(link.rels, link.url) for link in parse_link_header(header, base)]


def test_github_style_header() -> None:
    header = (
        '<https://api.github.com/repositories/1300192/issues?page=2>; rel="prev", '
        '<https://api.github.com/repositories/1300192/issues?page=4>; rel="next", '
        '<https://api.github.com/repositories/1300192/issues?page=515>; rel="last", '
        '<https://api.github.com/repositories/1300192/issues?page=1>; rel="first"'
    )
    links = parse_link_header(header)
    assert [link.rels for link in links] == [("prev",), ("next",), ("last",), ("first",)]
    nxt = find_link(links, "next")
    assert nxt is not None
    assert nxt.url == "https://api.github.com/repositories/1300192/issues?page=4"


def test_commas_and_semicolons_inside_the_uri() -> None:
    header = (
        '<https://x.example/a?ids=1,2,3;v=2>; rel="next", <https://x.example/b;p=1,2>; rel=last'
    )
    assert rels(header) == [
        (("next",), "https://x.example/a?ids=1,2,3;v=2"),
        (("last",), "https://x.example/b;p=1,2"),
    ]


def test_quoted_params_with_delimiters_and_escapes() -> None:
    header = (
        '</p2>; title="page, \\"two\\"; <see> this"; rel=next, '
        "</p9>; rel=\"last\"; title*=UTF-8'de'letzte"
    )
    links = parse_link_header(header)
    assert [link.url for link in links] == ["/p2", "/p9"]
    assert links[0].param("title") == 'page, "two"; <see> this'
    assert links[0].rels == ("next",)
    assert links[1].param("TITLE*") == "UTF-8'de'letzte"


def test_several_relation_types_and_case() -> None:
    links = parse_link_header('</last>; REL="Next  LAST"')
    assert links[0].rels == ("next", "last")
    assert find_link(links, "next") is find_link(links, "LAST") is links[0]


def test_only_the_first_rel_param_counts() -> None:
    links = parse_link_header('</a>; rel="prev"; rel="next"')
    assert links[0].rels == ("prev",)
    assert find_link(links, "next") is None


def test_first_link_with_a_relation_wins() -> None:
    links = parse_link_header("</one>; rel=next, </two>; rel=next")
    found = find_link(links, "next")
    assert found is not None
    assert found.url == "/one"


def test_relative_targets_resolve_against_the_request_url() -> None:
    base = "https://api.example/v1/items?page=1"
    header = "</v1/items?page=2>; rel=next, <?page=9>; rel=last, <other?page=1>; rel=first"
    assert rels(header, base) == [
        (("next",), "https://api.example/v1/items?page=2"),
        (("last",), "https://api.example/v1/items?page=9"),
        (("first",), "https://api.example/v1/other?page=1"),
    ]


def test_params_in_any_order_and_odd_whitespace() -> None:
    header = (
        '  <https://h/p?x=2> ;type="text/html";  rel = next ;anchor="#a" ,,  <https://h/z>;rel=last'
    )
    assert rels(header) == [(("next",), "https://h/p?x=2"), (("last",), "https://h/z")]


def test_several_header_fields_are_one_list() -> None:
    links = parse_link_header(['</a>; rel="next"', '</b>; rel="last"'], "https://h/x")
    assert [link.url for link in links] == ["https://h/a", "https://h/b"]


def test_junk_is_skipped_not_raised() -> None:
    header = "garbage, </ok>; rel=next, <unterminated; rel=last"
    assert rels(header) == [(("next",), "/ok")]
    assert parse_link_header('</a>; rel="unterminated') == [parse_link_header("</a>")[0]]
    assert parse_link_header("") == []
    assert find_link(parse_link_header('</a>; rel="prev"'), "next") is None


def test_unquoted_non_token_values_are_tolerated() -> None:
    links = parse_link_header("</a>; rel=next; title=a/b")
    assert links[0].rels == ("next",)
    assert links[0].param("title") == "a/b"


# Generated headers: every valid combination of URI, params and whitespace must parse back.

_ows = st.sampled_from(["", " ", "  ", "\t", " \t"])
_token = st.text(TCHARS, min_size=1, max_size=8)
_quoted_text = st.text(
    st.characters(min_codepoint=32, max_codepoint=126) | st.sampled_from(["é", "ü"]), max_size=16
)
_rel_types = st.lists(
    st.sampled_from(["next", "NEXT", "Next", "last", "prev", "first", "alternate"]) | _token,
    min_size=1,
    max_size=3,
)


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


@st.composite
def _link(draw: st.DrawFn) -> tuple[str, str, tuple[str, ...], list[tuple[str, str]]]:
    uri = draw(st.text(URI_CHARS, max_size=30))
    types = draw(_rel_types)
    rel_value = " ".join(types)
    quoted_rel = draw(st.booleans()) or len(types) > 1
    others = draw(
        st.lists(
            st.tuples(
                _token.filter(lambda t: t.lower() != "rel"),
                st.one_of(_token.map(lambda t: (t, t)), _quoted_text.map(lambda q: (q, _quote(q)))),
            ),
            max_size=3,
        )
    )
    position = draw(st.integers(0, len(others)))
    params: list[tuple[str, str, str]] = [(name, value, shown) for name, (value, shown) in others]
    rel_name = draw(st.sampled_from(["rel", "REL", "Rel"]))
    params.insert(position, (rel_name, rel_value, _quote(rel_value) if quoted_rel else rel_value))
    if draw(st.booleans()):
        params.append(("rel", "ignored", '"ignored"'))
    text = f"<{uri}>"
    for name, _, shown in params:
        text += f"{draw(_ows)};{draw(_ows)}{name}={shown}"
    expected_rels = tuple(dict.fromkeys(t.lower() for t in types))
    expected_params = [(name.lower(), value) for name, value, _ in params]
    return text, uri, expected_rels, expected_params


@given(st.lists(_link(), max_size=5), _ows)
def test_generated_valid_headers_parse_back(
    links: list[tuple[str, str, tuple[str, ...], list[tuple[str, str]]]], ows: str
) -> None:
    header = f"{ows},{ows}".join(text for text, _, _, _ in links)
    parsed = parse_link_header(header)
    assert [(p.url, p.rels, list(p.params)) for p in parsed] == [
        (uri, expected_rels, params) for _, uri, expected_rels, params in links
    ]
    for rel in ("next", "last"):
        first = next((uri for _, uri, r, _ in links if rel in r), None)
        found = find_link(parsed, rel)
        assert (found.url if found else None) == first


@given(st.text(max_size=200), st.sampled_from([None, "https://h.example/a/b?c=1"]))
def test_any_text_parses_without_raising(text: str, base: str | None) -> None:
    for link in parse_link_header(text, base):
        assert isinstance(link.url, str)
        assert all(rel == rel.lower() for rel in link.rels)
