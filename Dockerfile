# One image for both server-mode processes: the web app and the job workers.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props LabelHub.sln ./
COPY src/ src/
RUN dotnet publish src/LabelHub.Web -c Release -o /app/web \
 && dotnet publish src/LabelHub.Workers -c Release -o /app/workers

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app /app
ENV ASPNETCORE_URLS=http://+:8080 \
    LabelHub__DataDir=/data
VOLUME /data
EXPOSE 8080
# docker-compose picks the process: web (default) or workers (`dotnet workers/LabelHub.Workers.dll`).
ENTRYPOINT ["dotnet"]
CMD ["web/LabelHub.Web.dll"]
