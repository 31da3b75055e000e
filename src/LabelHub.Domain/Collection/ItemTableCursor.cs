using System.Buffers.Text;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace LabelHub.Domain.Collection;

/// <summary>
/// Where a data manager page ended: the sort it belongs to, the segment (a source, or the items without a value) and
/// the last row's sort value and id. Sent to clients as base64url JSON; they pass it back as <c>after</c> unread.
/// The id order keeps the plain decimal id as its cursor, so scripts written against the old listing keep working.
/// </summary>
internal sealed record ItemTableCursor(
    [property: JsonPropertyName("c")] ItemSortColumn Column,
    [property: JsonPropertyName("d")] bool Descending,
    [property: JsonPropertyName("z")] bool InNulls,
    [property: JsonPropertyName("n")] double? Number,
    [property: JsonPropertyName("t")] long? Whole,
    [property: JsonPropertyName("i")] long Id)
{
    private static readonly JsonSerializerOptions Options = new() { Converters = { new JsonStringEnumConverter() } };

    public string Encode() => Column == ItemSortColumn.Id
        ? Id.ToString(CultureInfo.InvariantCulture)
        : Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(this, Options));

    /// <summary>The cursor <paramref name="after"/> stands for under this sort; a cursor of another sort or not ours is refused.</summary>
    public static ItemTableCursor Decode(string after, ItemSort sort)
    {
        if (sort.Column == ItemSortColumn.Id)
        {
            return long.TryParse(after, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
                ? new ItemTableCursor(ItemSortColumn.Id, sort.Descending, false, null, null, id)
                : throw Invalid();
        }
        ItemTableCursor? cursor;
        try
        {
            cursor = JsonSerializer.Deserialize<ItemTableCursor>(Base64Url.DecodeFromChars(after), Options);
        }
        catch (Exception e) when (e is FormatException or JsonException or ArgumentException)
        {
            throw Invalid();
        }
        return cursor is not null && cursor.Column == sort.Column && cursor.Descending == sort.Descending ? cursor : throw Invalid();
    }

    public static ValidationException Invalid() => new("after", "The cursor is not one this listing gave.");
}
