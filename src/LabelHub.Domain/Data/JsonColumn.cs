using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace LabelHub.Domain.Data;

/// <summary>Maps a typed value to a JSON column (jsonb on PostgreSQL, TEXT on SQLite).</summary>
public static class JsonColumn
{
    /// <summary>
    /// Text is stored as it is (only what JSON requires is escaped): Hangul as \uXXXX escapes took twice the space in the
    /// database and in every file written from it. These values never go into HTML unencoded.
    /// </summary>
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static PropertyBuilder<T> HasJsonConversion<T>(this PropertyBuilder<T> property, bool isPostgres)
        where T : class, new()
    {
        var converter = new ValueConverter<T, string>(
            value => JsonSerializer.Serialize(value, Options),
            json => JsonSerializer.Deserialize<T>(json, Options) ?? new T());
        // Values are compared by their JSON, so replacing or mutating a value is noticed.
        var comparer = new ValueComparer<T>(
            (a, b) => JsonSerializer.Serialize(a, Options) == JsonSerializer.Serialize(b, Options),
            value => JsonSerializer.Serialize(value, Options).GetHashCode(),
            value => JsonSerializer.Deserialize<T>(JsonSerializer.Serialize(value, Options), Options)!);
        property.HasConversion(converter, comparer).IsRequired();
        if (isPostgres)
        {
            property.HasColumnType("jsonb");
        }
        return property;
    }
}
