namespace LabelHub.Domain;

/// <summary>A request the domain refuses. Hosts turn these into RFC 7807 problem details.</summary>
public abstract class DomainException(string message) : Exception(message);

public sealed class NotFoundException(string what) : DomainException($"{what} was not found.");

public sealed class ForbiddenException(string message) : DomainException(message);

public sealed class ConflictException(string message) : DomainException(message);

/// <summary>Bad input, with one or more messages per field (or row, for files).</summary>
public sealed class ValidationException : DomainException
{
    public ValidationException(IReadOnlyDictionary<string, string[]> errors)
        : base(Summarize(errors))
    {
        Errors = errors;
    }

    public ValidationException(string field, string message)
        : this(new Dictionary<string, string[]> { [field] = [message] })
    {
    }

    public IReadOnlyDictionary<string, string[]> Errors { get; }

    private static string Summarize(IReadOnlyDictionary<string, string[]> errors) =>
        string.Join(" ", errors.SelectMany(e => e.Value.Select(m => string.IsNullOrEmpty(e.Key) ? m : $"{e.Key}: {m}")).Take(5));
}

/// <summary>Collects field errors, then throws them all at once.</summary>
public sealed class ValidationErrors
{
    private readonly Dictionary<string, List<string>> errors = [];

    public bool Any => errors.Count > 0;

    public void Add(string field, string message)
    {
        if (!errors.TryGetValue(field, out var list))
        {
            errors[field] = list = [];
        }
        list.Add(message);
    }

    /// <summary>Every message so far, by field; empty when there is none.</summary>
    public IReadOnlyDictionary<string, string[]> ToDictionary() => errors.ToDictionary(e => e.Key, e => e.Value.ToArray());

    public void ThrowIfAny()
    {
        if (Any)
        {
            throw new ValidationException(ToDictionary());
        }
    }
}
