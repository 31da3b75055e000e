using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace LabelHub.Domain.Collection;

/// <summary>
/// Where an image item's picture comes from: the project's own media endpoint for uploaded images, or an
/// external http(s) URL given in an imported JSON or CSV file. Nothing else is ever put into an img src.
/// </summary>
public static class MediaUrls
{
    /// <summary>The item data key of an image item's picture.</summary>
    public const string ImageKey = "image";

    public const string FileNameKey = "file_name";
    public const string WidthKey = "width";
    public const string HeightKey = "height";

    public static string For(Guid projectId, Guid fileId) => $"/api/v1/projects/{projectId}/media/{fileId}";

    /// <summary>An absolute http(s) URL, or this project's media path for a stored file.</summary>
    public static bool IsAllowed(string? url, Guid projectId)
    {
        if (string.IsNullOrWhiteSpace(url) || url.Length > 4096 || url.Any(char.IsControl) || url.Contains(' ', StringComparison.Ordinal))
        {
            return false;
        }
        var ownPrefix = $"/api/v1/projects/{projectId}/media/";
        if (url.StartsWith(ownPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return Guid.TryParseExact(url[ownPrefix.Length..], "D", out _);
        }
        return Uri.TryCreate(url, UriKind.Absolute, out var uri)
            && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            && !string.IsNullOrEmpty(uri.Host);
    }

    /// <summary>The allowed image URL held under <paramref name="key"/> in an item's data.</summary>
    public static bool TryGetImage(IReadOnlyDictionary<string, JsonElement> data, string key, Guid projectId, [NotNullWhen(true)] out string? url)
    {
        var candidate = data.TryGetValue(key, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        url = IsAllowed(candidate, projectId) ? candidate : null;
        return url is not null;
    }

    /// <summary>The stored file a project's media URL points at (not an external URL).</summary>
    public static bool TryGetStoredFileId(string url, Guid projectId, out Guid fileId)
    {
        var prefix = For(projectId, Guid.Empty)[..^Guid.Empty.ToString().Length];
        fileId = Guid.Empty;
        return url.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) && Guid.TryParseExact(url[prefix.Length..], "D", out fileId);
    }

    /// <summary>The image's natural size in pixels, when the item data records it (uploaded images always do).</summary>
    public static bool TryGetSize(IReadOnlyDictionary<string, JsonElement> data, out int width, out int height)
    {
        if (data.TryGetValue(WidthKey, out var w) && w.ValueKind == JsonValueKind.Number && w.TryGetInt32(out width) && width > 0
            && data.TryGetValue(HeightKey, out var h) && h.ValueKind == JsonValueKind.Number && h.TryGetInt32(out height) && height > 0)
        {
            return true;
        }
        width = height = 0;
        return false;
    }
}
