using System.Data.Common;
using LabelHub.Domain.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace LabelHub.Domain.Collection;

/// <summary>
/// Writes a batch of new items in one short transaction, much faster than change tracking: binary COPY on PostgreSQL,
/// a prepared multi-row INSERT on SQLite. Column names and value conversions come from the EF model, so the rows read
/// back exactly as EF would have written them. Ids are the database's; the items' own Id stays 0.
/// </summary>
internal static class ItemBulkInsert
{
    /// <summary>
    /// Rows per prepared SQLite INSERT. Microsoft.Data.Sqlite binds each parameter by looking its name up in the statement,
    /// so binding costs grow with the square of the parameters: 1,000,000 rows (11 columns) took 8.4 s at 1 to 4 rows per
    /// statement, 13.6 s at 25 and 61 s at 200 (bench of ADR 0015). Reusing one prepared statement in one transaction per
    /// batch is what makes it fast.
    /// </summary>
    private const int SqliteRowsPerStatement = 4;

    private static readonly string[] Columns =
    [
        nameof(Item.ProjectId), nameof(Item.Data), nameof(Item.ContentHash), nameof(Item.ImportJobRunId), nameof(Item.SourceLine),
        nameof(Item.TakenSlots), nameof(Item.SubmittedCount), nameof(Item.Priority), nameof(Item.IsGold), nameof(Item.GoldAnswer),
        nameof(Item.CreatedAt),
    ];

    private static object? ValueOf(Item item, int column) => column switch
    {
        0 => item.ProjectId,
        1 => item.Data,
        2 => item.ContentHash,
        3 => item.ImportJobRunId,
        4 => item.SourceLine,
        5 => item.TakenSlots,
        6 => item.SubmittedCount,
        7 => item.Priority,
        8 => item.IsGold,
        9 => item.GoldAnswer,
        _ => item.CreatedAt,
    };

    public static async Task InsertAsync(LabelHubDbContext db, IReadOnlyList<Item> items, CancellationToken ct)
    {
        if (items.Count == 0)
        {
            return;
        }
        var table = Table.Of(db);
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            if (db.Database.GetDbConnection() is NpgsqlConnection postgres)
            {
                await CopyAsync(postgres, table, items, ct);
            }
            else
            {
                await InsertRowsAsync(db, table, items, ct);
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static async Task CopyAsync(NpgsqlConnection connection, Table table, IReadOnlyList<Item> items, CancellationToken ct)
    {
        // COPY is one statement, so one transaction of its own: the rows arrive all together or not at all.
        await using var importer = await connection.BeginBinaryImportAsync(
            $"COPY {table.QuotedName} ({string.Join(", ", table.QuotedColumns)}) FROM STDIN (FORMAT BINARY)", ct);
        foreach (var item in items)
        {
            await importer.StartRowAsync(ct);
            for (var column = 0; column < Columns.Length; column++)
            {
                var value = table.ToProvider(column, ValueOf(item, column));
                if (value is null)
                {
                    await importer.WriteNullAsync(ct);
                }
                else
                {
                    await importer.WriteAsync(value, table.StoreTypes[column], ct);
                }
            }
        }
        await importer.CompleteAsync(ct);
    }

    private static async Task InsertRowsAsync(LabelHubDbContext db, Table table, IReadOnlyList<Item> items, CancellationToken ct)
    {
        var connection = db.Database.GetDbConnection();
        await using var transaction = await connection.BeginTransactionAsync(ct);
        DbCommand? full = null;
        try
        {
            for (var start = 0; start < items.Count; start += SqliteRowsPerStatement)
            {
                var rows = Math.Min(SqliteRowsPerStatement, items.Count - start);
                DbCommand command;
                if (rows == SqliteRowsPerStatement)
                {
                    // Prepared once, reused for every full statement of the batch with new values.
                    full ??= await PrepareAsync(connection, transaction, table, rows, ct);
                    command = full;
                }
                else
                {
                    command = await PrepareAsync(connection, transaction, table, rows, ct);
                }
                for (var row = 0; row < rows; row++)
                {
                    for (var column = 0; column < Columns.Length; column++)
                    {
                        command.Parameters[row * Columns.Length + column].Value = table.ToProvider(column, ValueOf(items[start + row], column)) ?? DBNull.Value;
                    }
                }
                await command.ExecuteNonQueryAsync(ct);
                if (command != full)
                {
                    await command.DisposeAsync();
                }
            }
            await transaction.CommitAsync(ct);
        }
        finally
        {
            if (full is not null)
            {
                await full.DisposeAsync();
            }
        }
    }

    private static async Task<DbCommand> PrepareAsync(DbConnection connection, DbTransaction transaction, Table table, int rows, CancellationToken ct)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        var values = new List<string>(rows);
        for (var row = 0; row < rows; row++)
        {
            var names = new string[Columns.Length];
            for (var column = 0; column < Columns.Length; column++)
            {
                names[column] = $"@p{row * Columns.Length + column}";
                // The mapping sets the parameter up as EF would (a Guid bound as TEXT on SQLite, not as a BLOB).
                command.Parameters.Add(table.Mappings[column].CreateParameter(command, names[column], null, nullable: true));
            }
            values.Add($"({string.Join(", ", names)})");
        }
        command.CommandText = $"INSERT INTO {table.QuotedName} ({string.Join(", ", table.QuotedColumns)}) VALUES {string.Join(", ", values)}";
        await command.PrepareAsync(ct);
        return command;
    }

    /// <summary>The items table as the EF model maps it on this provider: names, store types and value converters.</summary>
    private sealed record Table(
        string QuotedName, string[] QuotedColumns, string[] StoreTypes, RelationalTypeMapping[] Mappings, Func<object?, object?>?[] Converters)
    {
        public object? ToProvider(int column, object? value) =>
            value is null ? null : Converters[column] is { } convert ? convert(value) : value;

        public static Table Of(LabelHubDbContext db)
        {
            var entity = db.Model.FindEntityType(typeof(Item))!;
            var store = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
            var sql = db.GetService<ISqlGenerationHelper>();
            var properties = Columns.Select(name => entity.FindProperty(name)!).ToArray();
            return new Table(
                sql.DelimitIdentifier(store.Name, store.Schema),
                [.. properties.Select(p => sql.DelimitIdentifier(p.GetColumnName(store)!))],
                // COPY names types without their facets: "character varying", not "character varying(64)".
                [.. properties.Select(p => p.GetColumnType(store).Split('(')[0])],
                [.. properties.Select(p => (RelationalTypeMapping)p.GetTypeMapping())],
                [.. properties.Select(p => (p.GetTypeMapping().Converter ?? p.GetValueConverter()) is { } converter ? converter.ConvertToProvider : null)]);
        }
    }
}
