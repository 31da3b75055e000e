using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace LabelHub.Domain.Data;

/// <summary>Stores a DateTimeOffset as UTC ticks (it is always UTC in this model), so order and comparison work in SQLite.</summary>
public sealed class DateTimeOffsetToUtcTicksConverter() : ValueConverter<DateTimeOffset, long>(
    value => value.UtcTicks,
    ticks => new DateTimeOffset(ticks, TimeSpan.Zero));
