namespace WxQms.Domain.Rules.Tasks;

/// <summary>
/// Where the running system gets its task catalogue: the stored duty versions (<c>DutyCatalogueCache</c>), or a fixed
/// catalogue for a benchmark or a pure test.
/// </summary>
public interface ITaskCatalogueSource
{
    /// <summary>Every version of every duty as known now.</summary>
    Task<TaskCatalogue> GetAsync(CancellationToken ct);
}

/// <summary>One catalogue that never changes (<see cref="TaskCatalogue.Default"/> unless told otherwise).</summary>
public sealed class FixedCatalogue(TaskCatalogue? catalogue = null) : ITaskCatalogueSource
{
    public Task<TaskCatalogue> GetAsync(CancellationToken ct) => Task.FromResult(catalogue ?? TaskCatalogue.Default);
}
