namespace LabelHub.Domain;

/// <summary>
/// A request the domain refuses. Hosts turn these into RFC 7807 problem details. The domain writes English;
/// <see cref="Message"/> is in the current UI culture (see <see cref="ServerMessages"/>), <see cref="EnglishMessage"/>
/// is what logs keep, and <see cref="Code"/> is the stable code of the message when the catalog knows it.
/// </summary>
public abstract class DomainException(string message) : Exception(message)
{
    public string EnglishMessage => base.Message;

    public override string Message => ServerMessages.Localize(base.Message, System.Globalization.CultureInfo.CurrentUICulture);

    public string? Code => ServerMessages.CodeOf(base.Message);
}

public sealed class NotFoundException(string what) : DomainException($"{what} was not found.");

public sealed class ForbiddenException(string message) : DomainException(message);

public sealed class ConflictException(string message) : DomainException(message);

/// <summary>Bad input, with one or more messages per field (or row, for files).</summary>
public sealed class ValidationException : DomainException
{
    public ValidationException(IReadOnlyDictionary<string, string[]> errors)
        : base(Summarize(errors))
    {
        EnglishErrors = errors;
    }

    public ValidationException(string field, string message)
        : this(new Dictionary<string, string[]> { [field] = [message] })
    {
    }

    /// <summary>The messages as the domain wrote them, by field.</summary>
    public IReadOnlyDictionary<string, string[]> EnglishErrors { get; }

    /// <summary>The messages in the current UI culture, by field.</summary>
    public IReadOnlyDictionary<string, string[]> Errors => LocalizedErrors(System.Globalization.CultureInfo.CurrentUICulture);

    public override string Message => Summarize(Errors);

    /// <summary>The first few messages in one line, in the given language.</summary>
    public string MessageIn(System.Globalization.CultureInfo culture) => Summarize(LocalizedErrors(culture));

    public IReadOnlyDictionary<string, string[]> LocalizedErrors(System.Globalization.CultureInfo culture) =>
        EnglishErrors.ToDictionary(e => e.Key, e => e.Value.Select(m => ServerMessages.Localize(m, culture)).ToArray());

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
