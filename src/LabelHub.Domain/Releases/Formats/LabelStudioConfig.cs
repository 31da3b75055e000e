using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Xml;
using LabelHub.Domain.Collection;
using LabelHub.Domain.Planning;

namespace LabelHub.Domain.Releases.Formats;

/// <summary>
/// The Label Studio labeling config (labelstud.io/tags) for a schema: one object tag per item data key that fields
/// mark (Text for spans, Image for boxes; a panel-only schema gets the item's image or text), then one control tag per
/// field in schema order, named after the field: Choices (choice="single" or "multiple"), Labels, RectangleLabels,
/// TextArea, Number, DateTime only="date", Rating maxRating. Panel fields point at the first object.
/// </summary>
internal sealed class LabelStudioConfig
{
    private static readonly XmlWriterSettings XmlSettings = new()
    {
        Encoding = new UTF8Encoding(false),
        Indent = true,
        IndentChars = "  ",
        NewLineChars = "\n",
        OmitXmlDeclaration = true,
        Async = true,
    };

    private readonly LabelSchema schema;
    private readonly List<(string Name, string Key, bool IsImage)> objects;

    private LabelStudioConfig(LabelSchema schema, List<(string Name, string Key, bool IsImage)> objects)
    {
        this.schema = schema;
        this.objects = objects;
    }

    /// <summary>The item data key of the picture (the first Image object), or null for a text project.</summary>
    public string? ImageKey => objects.FirstOrDefault(o => o.IsImage).Key;

    public static async Task<LabelStudioConfig> ForAsync(ReleaseWriteContext context, CancellationToken ct)
    {
        var objects = new List<(string Name, string Key, bool IsImage)>();
        foreach (var field in context.Schema.Fields)
        {
            if (field.SourceKey is { } key && !objects.Exists(o => string.Equals(o.Key, key, StringComparison.Ordinal)))
            {
                objects.Add((UniqueName(context.Schema, objects, key), key, field.Kind == FieldKind.Boxes));
            }
        }
        if (objects.Count == 0)
        {
            // Only panel fields: what the items show decides the object; the first entry tells (all of a project's items have one shape).
            var (key, isImage) = await PanelObjectAsync(context, ct);
            objects.Add((UniqueName(context.Schema, objects, key), key, isImage));
        }
        return new LabelStudioConfig(context.Schema, objects);
    }

    /// <summary>The object tag a field's results point at (to_name).</summary>
    public string ObjectNameFor(LabelField field) =>
        field.SourceKey is { } key ? objects.First(o => string.Equals(o.Key, key, StringComparison.Ordinal)).Name : objects[0].Name;

    public async Task WriteAsync(ZipArchive zip, string path, CancellationToken ct)
    {
        var entry = ReleaseZip.Create(zip, path);
        await using var stream = await entry.OpenAsync(ct);
        await using var xml = XmlWriter.Create(stream, XmlSettings);
        await xml.WriteStartElementAsync(null, "View", null);
        foreach (var (name, key, isImage) in objects)
        {
            await xml.WriteStartElementAsync(null, isImage ? "Image" : "Text", null);
            await xml.WriteAttributeStringAsync(null, "name", null, name);
            await xml.WriteAttributeStringAsync(null, "value", null, "$" + key);
            await xml.WriteEndElementAsync();
        }
        foreach (var field in schema.Fields)
        {
            await WriteControlAsync(xml, field);
        }
        await xml.WriteEndElementAsync();
        await xml.FlushAsync();
    }

    private async Task WriteControlAsync(XmlWriter xml, LabelField field)
    {
        var (tag, child) = field.Kind switch
        {
            FieldKind.Choice or FieldKind.MultiChoice => ("Choices", "Choice"),
            FieldKind.Spans => ("Labels", "Label"),
            FieldKind.Boxes => ("RectangleLabels", "Label"),
            FieldKind.Text => ("TextArea", (string?)null),
            FieldKind.Number => ("Number", null),
            FieldKind.Date => ("DateTime", null),
            FieldKind.Rating => ("Rating", null),
        };
        await xml.WriteStartElementAsync(null, tag, null);
        await xml.WriteAttributeStringAsync(null, "name", null, field.Name);
        await xml.WriteAttributeStringAsync(null, "toName", null, ObjectNameFor(field));
        foreach (var (attribute, value) in Attributes(field))
        {
            await xml.WriteAttributeStringAsync(null, attribute, null, value);
        }
        if (child is not null)
        {
            foreach (var label in field.Labels)
            {
                await xml.WriteStartElementAsync(null, child, null);
                await xml.WriteAttributeStringAsync(null, "value", null, label);
                await xml.WriteEndElementAsync();
            }
        }
        await xml.WriteEndElementAsync();
    }

    private static (string Attribute, string Value)[] Attributes(LabelField field)
    {
        (string Attribute, string Value)[] byKind = field.Kind switch
        {
            FieldKind.Choice => [("choice", "single")],
            FieldKind.MultiChoice => [("choice", "multiple")],
            FieldKind.Text => [("maxSubmissions", "1")],
            FieldKind.Number => [.. NumberRange(field)],
            FieldKind.Date => [("only", "date")],
            FieldKind.Rating => [("maxRating", field.RatingMax.ToString(CultureInfo.InvariantCulture))],
            FieldKind.Spans or FieldKind.Boxes => [],
        };
        return field.Required ? [.. byKind, ("required", "true")] : byKind;
    }

    private static IEnumerable<(string Attribute, string Value)> NumberRange(LabelField field)
    {
        if (field.Min is { } min)
        {
            yield return ("min", min.ToString(CultureInfo.InvariantCulture));
        }
        if (field.Max is { } max)
        {
            yield return ("max", max.ToString(CultureInfo.InvariantCulture));
        }
    }

    private static async Task<(string Key, bool IsImage)> PanelObjectAsync(ReleaseWriteContext context, CancellationToken ct)
    {
        await foreach (var entry in context.Entries(ct))
        {
            if (entry.Data.TryGetValue(MediaUrls.ImageKey, out var image) && image.ValueKind == JsonValueKind.String)
            {
                return (MediaUrls.ImageKey, true);
            }
            if (entry.Data.ContainsKey(FieldKinds.DefaultTextKey))
            {
                return (FieldKinds.DefaultTextKey, false);
            }
            foreach (var (key, value) in entry.Data)
            {
                if (value.ValueKind == JsonValueKind.String)
                {
                    return (key, false);
                }
            }
            break;
        }
        return (FieldKinds.DefaultTextKey, false);
    }

    /// <summary>Label Studio tag names are unique across objects and controls: a data key named like a field gets a suffix.</summary>
    private static string UniqueName(LabelSchema schema, List<(string Name, string Key, bool IsImage)> objects, string key)
    {
        var name = key;
        while (schema.Field(name) is not null || objects.Exists(o => string.Equals(o.Name, name, StringComparison.Ordinal)))
        {
            name += "_object";
        }
        return name;
    }
}
