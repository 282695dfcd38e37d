"""4-byte UTF-8 characters, which utf8 (3-byte) databases cannot store."""

from lightbits_dashboard import storable


def test_finds_each_four_byte_character_once():
    assert storable.unstorable_characters("a\U0001f680b\U0001f680c\U0001f600") == [
        "\U0001f680",
        "\U0001f600",
    ]


def test_three_byte_text_is_storable():
    assert storable.unstorable_characters("vm-é-中-€") == []
    assert storable.unstorable_characters(None) == []
