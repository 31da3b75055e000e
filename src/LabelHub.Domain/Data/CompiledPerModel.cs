using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace LabelHub.Domain.Data;

/// <summary>
/// An EF compiled query for each model it meets. A compiled query binds to the first model it runs with and refuses
/// any other, while the app has one model per database provider and the tests run SQLite and PostgreSQL side by side.
/// </summary>
public sealed class CompiledPerModel<TQuery>(Func<TQuery> compile)
    where TQuery : class
{
    private readonly ConditionalWeakTable<IModel, TQuery> byModel = [];

    public TQuery For(DbContext db) => byModel.GetValue(db.Model, _ => compile());
}
