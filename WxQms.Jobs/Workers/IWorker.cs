namespace WxQms.Jobs.Workers;

/// <summary>
/// One tick of a worker: a call of one Domain service method, which holds the work and its rules. A tick must be safe
/// to run twice and from several Jobs processes at once (the Domain claims rows in MySQL). The worker's name and its
/// default interval are given where <see cref="JobsProgram.AddWorkers"/> lists it (<see cref="WorkerExtensions.AddWorker{TWorker}(Microsoft.Extensions.DependencyInjection.IServiceCollection, string, TimeSpan)"/>).
/// </summary>
public interface IWorker
{
    Task RunAsync(DateTimeOffset now, CancellationToken ct);
}
