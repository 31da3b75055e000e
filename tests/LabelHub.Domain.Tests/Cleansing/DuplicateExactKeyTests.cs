using LabelHub.Domain.Cleansing;

namespace LabelHub.Domain.Tests.Cleansing;

/// <summary>What the exact-duplicate search calls the same content (<see cref="DuplicateSearch.ExactKey"/>).</summary>
public sealed class DuplicateExactKeyTests
{
    [Fact]
    public void Texts_differing_only_in_case_width_and_spacing_have_one_key_whatever_the_content_hash()
    {
        var key = DuplicateSearch.ExactKey("Fast delivery, well packed.", "hash-a");
        Assert.Equal(key, DuplicateSearch.ExactKey("fast  delivery,\twell packed. ", "hash-b"));
        Assert.Equal(key, DuplicateSearch.ExactKey("ＦＡＳＴ delivery, well packed.", "hash-c"));
        Assert.Equal(DuplicateSearch.ExactKey("오늘 날씨가 좋네요", "x"), DuplicateSearch.ExactKey("오늘  날씨가 좋네요", "y"));
    }

    [Fact]
    public void Other_words_or_items_without_text_differ_unless_their_content_hash_is_equal()
    {
        var key = DuplicateSearch.ExactKey("Fast delivery, well packed.", "hash-a");
        Assert.NotEqual(key, DuplicateSearch.ExactKey("Fast delivery, badly packed.", "hash-a"));
        Assert.NotEqual(DuplicateSearch.ExactKey("오늘 날씨가 좋네요", "x"), DuplicateSearch.ExactKey("오늘날씨가 좋네요", "x"));
        Assert.Equal(DuplicateSearch.ExactKey(null, "same-bytes"), DuplicateSearch.ExactKey(null, "same-bytes"));
        Assert.NotEqual(DuplicateSearch.ExactKey(null, "same-bytes"), DuplicateSearch.ExactKey(null, "other-bytes"));
        // A text never collides with a content hash spelled the same.
        Assert.NotEqual(DuplicateSearch.ExactKey("abc", "z"), DuplicateSearch.ExactKey(null, "abc"));
    }
}
