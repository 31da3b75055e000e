# One image for both server-mode processes: the web app and the job workers.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Build.targets Directory.Packages.props LabelHub.sln ./
# The build step that trims TorchSharp's natives and patches libLibTorchSharp.so (docs/decisions/0009-torchsharp-natives.md).
COPY build/TorchSharpNatives.targets build/ElfVersionPatch.cs build/
COPY src/ src/
# Web references Workers, so every Workers file is also in Web, libtorch's 480 MB above all. Identical files in
# workers/ become hard links to web/'s, which the COPY below keeps, so the image holds them once.
RUN dotnet publish src/LabelHub.Web -c Release -o /app/web \
 && dotnet publish src/LabelHub.Workers -c Release -o /app/workers \
 && find /app/workers -type f -exec sh -c 'for file; do twin="/app/web/${file#/app/workers/}"; if [ -f "$twin" ] && cmp -s "$file" "$twin"; then ln -f "$twin" "$file"; fi; done' sh {} +

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app /app
# Fails the image build if TorchSharp's natives do not load on this base image, instead of disabling learning later.
RUN ["dotnet", "workers/LabelHub.Workers.dll", "check-learning"]
ENV ASPNETCORE_URLS=http://+:8080 \
    LabelHub__DataDir=/data
VOLUME /data
EXPOSE 8080
# docker-compose picks the process: web (default) or workers (`dotnet workers/LabelHub.Workers.dll`).
ENTRYPOINT ["dotnet"]
CMD ["web/LabelHub.Web.dll"]
