using System.Data.Common;
using System.Text;
using LabelHub.Domain.Collection;
using LabelHub.Domain.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LabelHub.Bench.DataManager;

/// <summary>
/// The database's plan for a filter's first page in id order (--explain): the SQL ItemTableFilters builds, with its
/// parameters, run under EXPLAIN ANALYZE (PostgreSQL) or EXPLAIN QUERY PLAN (SQLite), to see which index each walks.
/// </summary>
public static class QueryPlans
{
    public static async Task<string> ExplainAsync(IServiceProvider services, Guid projectId, ItemFilter filter, CancellationToken ct)
    {
        await using var db = await services.GetRequiredService<IDbContextFactory<LabelHubDbContext>>().CreateDbContextAsync(ct);
        var project = await db.Projects.AsNoTracking().SingleAsync(p => p.Id == projectId, ct);
        var query = (await ItemTableFilters.ApplyAsync(db, project, filter, ct)).OrderBy(i => i.Id).Take(51);
        await db.Database.OpenConnectionAsync(ct);
        await using DbCommand command = query.CreateDbCommand();
        var postgres = db.Provider == DatabaseProvider.Postgres;
        command.CommandText = (postgres ? "EXPLAIN (ANALYZE, BUFFERS) " : "EXPLAIN QUERY PLAN ") + command.CommandText;
        var plan = new StringBuilder();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            // PostgreSQL: one text column per line; SQLite: id, parent, notused, detail.
            plan.AppendLine(postgres ? reader.GetString(0) : "  " + reader.GetString(3));
        }
        return plan.ToString();
    }
}
