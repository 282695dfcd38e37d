"""What a page says, checked in one call."""


def assert_says(test, res, *texts, never=()):
    """``res`` says every one of ``texts`` and none of ``never``."""
    for text in texts:
        test.assertContains(res, text)
    for text in never:
        test.assertNotContains(res, text)
