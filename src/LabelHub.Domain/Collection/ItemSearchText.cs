using System.Text;
using System.Text.Json;

namespace LabelHub.Domain.Collection;

/// <summary>What the data manager's search reads of an item (<see cref="Item.SearchText"/>).</summary>
public static class ItemSearchText
{
    /// <summary>The "text" value when there is one; otherwise a record's string values, one per line; null when it has none.</summary>
    public static string? Of(IReadOnlyDictionary<string, JsonElement> data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.TryGetValue("text", out var text) && text.ValueKind == JsonValueKind.String)
        {
            return text.GetString();
        }
        var joined = new StringBuilder();
        foreach (var (_, value) in data.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } s)
            {
                joined.Append(joined.Length == 0 ? "" : "\n").Append(s);
            }
        }
        return joined.Length == 0 ? null : joined.ToString();
    }
}
