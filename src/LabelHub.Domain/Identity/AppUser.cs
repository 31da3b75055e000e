using Microsoft.AspNetCore.Identity;

namespace LabelHub.Domain.Identity;

public class AppUser : IdentityUser<Guid>
{
    public string DisplayName { get; set; } = "";

    /// <summary>UI culture the user picked ("en", "ko"); null means the browser's language.</summary>
    public string? PreferredCulture { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>
    /// An account for a program (an ML backend, a pipeline) rather than a person: it has no password and acts only
    /// through tokens an admin scoped to one project and one role (ADR 0017).
    /// </summary>
    public bool IsServiceAccount { get; set; }

    /// <summary>
    /// When an admin archived the account (null: not archived): it is disabled and hidden from the user list and the
    /// member pickers, while its work and name stay in the history. Restoring clears it.
    /// </summary>
    public DateTimeOffset? ArchivedAt { get; set; }

    /// <summary>
    /// Identity's lockout end marks an account an admin disabled. Failed sign-ins never set it (they are throttled
    /// instead, see ADR 0016), so a lockout in the future always means "disabled".
    /// </summary>
    public static bool IsDisabledUntil(DateTimeOffset? lockoutEnd, DateTimeOffset now) => lockoutEnd is { } end && end > now;
}

public class AppRole : IdentityRole<Guid>
{
    public AppRole()
    {
    }

    public AppRole(string name) : base(name)
    {
    }
}

public static class Roles
{
    public const string Admin = "Admin";
    public const string Manager = "Manager";
    public const string Reviewer = "Reviewer";
    public const string Annotator = "Annotator";

    public static readonly IReadOnlyList<string> All = [Admin, Manager, Reviewer, Annotator];

    /// <summary>Roles that may create and manage projects.</summary>
    public const string ManagersAndAdmins = Admin + "," + Manager;

    /// <summary>The roles a project-scoped token may carry: never Admin, whose reach is not one project.</summary>
    public static readonly IReadOnlyList<string> Scopable = [Annotator, Reviewer, Manager];

    /// <summary>Higher includes lower: a manager may do what a reviewer may, a reviewer what an annotator may.</summary>
    public static int Rank(string role) => role switch
    {
        Admin => 3,
        Manager => 2,
        Reviewer => 1,
        _ => 0,
    };

    /// <summary>
    /// A person's roles through a token capped at <paramref name="cap"/>: the roles at or below the cap they hold,
    /// and the cap itself when they hold a higher one.
    /// </summary>
    public static IReadOnlySet<string> CappedAt(IEnumerable<string> held, string cap)
    {
        var capped = new HashSet<string>(StringComparer.Ordinal);
        foreach (var role in held)
        {
            capped.Add(Rank(role) <= Rank(cap) ? role : cap);
        }
        return capped;
    }
}
