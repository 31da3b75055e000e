using System.Text;
using LabelHub.Domain.Data;
using Microsoft.EntityFrameworkCore;

namespace LabelHub.Domain.Collection;

/// <summary>
/// The data manager's case-insensitive substring search in <see cref="Item.SearchText"/> (ItemSearchIndex and
/// ItemStatsStorage build the indexes). PostgreSQL: ILIKE on item_search, which its pg_trgm index serves. SQLite: the FTS5 trigram table for 3 or more
/// characters; a shorter query has no trigram to look up and scans with LIKE (which folds only ASCII case).
/// </summary>
internal static class ItemTableSearch
{
    public static IQueryable<Item> Where(LabelHubDbContext db, IQueryable<Item> items, string search)
    {
        switch (db.Provider)
        {
            case DatabaseProvider.Postgres:
                // item_search holds the text with the trigram index (ItemStatsStorage), away from items' lease updates.
                var pattern = "%" + EscapeLike(search) + "%";
                var found = db.Database.SqlQuery<long>(
                    $"SELECT item_id AS \"Value\" FROM item_search WHERE search_text ILIKE {pattern} ESCAPE '\\'");
                return items.Where(i => found.Contains(i.Id));
            case DatabaseProvider.Sqlite:
                if (search.EnumerateRunes().Count() < 3)
                {
                    var shortPattern = "%" + EscapeLike(search) + "%";
                    return items.Where(i => i.SearchText != null && EF.Functions.Like(i.SearchText, shortPattern, "\\"));
                }
                // One FTS5 phrase (quotes doubled): the trigram tokenizer matches it as a substring, case-insensitively.
                var phrase = "\"" + search.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
                var matching = db.Database.SqlQuery<long>($"SELECT rowid AS \"Value\" FROM items_search WHERE items_search MATCH {phrase}");
                return items.Where(i => matching.Contains(i.Id));
            default:
                throw new ArgumentOutOfRangeException(nameof(db));
        }
    }

    private static string EscapeLike(string text)
    {
        var escaped = new StringBuilder(text.Length + 4);
        foreach (var c in text)
        {
            if (c is '\\' or '%' or '_')
            {
                escaped.Append('\\');
            }
            escaped.Append(c);
        }
        return escaped.ToString();
    }
}
